"""Every model and app of ours has a translated name and a plural that reads right.

Django's default plural adds an "s" ("Senders", "Holds", "Quarantines") and is English whatever
the admin's language; the admin's index, titles and breadcrumbs show these names."""

from __future__ import annotations

from django.apps import apps
from django.utils import translation
from django.utils.functional import Promise

OURS = ("agencies", "audit", "calls", "notify")


def our_models():
    for label in OURS:
        yield from apps.get_app_config(label).get_models()


def test_every_model_names_itself_and_its_plural_for_translation():
    missing = []
    for model in our_models():
        opts = model._meta
        # Lazy translations, set on purpose: not Django's derived English.
        for attr in ("verbose_name", "verbose_name_plural"):
            if not isinstance(getattr(opts, attr), Promise):
                missing.append(f"{opts.label}.{attr}")
    assert not missing, f"not marked for translation: {missing}"


def test_every_model_and_app_name_has_spanish():
    untranslated = []
    with translation.override("es"):
        for label in OURS:
            config = apps.get_app_config(label)
            if str(config.verbose_name) == config.verbose_name._args[0]:
                untranslated.append(label)
        for model in our_models():
            opts = model._meta
            for attr in ("verbose_name", "verbose_name_plural"):
                lazy = getattr(opts, attr)
                if str(lazy) == lazy._args[0]:
                    untranslated.append(f"{opts.label}.{attr}")
    assert not untranslated, f"no Spanish in es/django.po: {untranslated}"


def test_sending_numbers_and_stops_read_right():
    from porchlight.notify.models import Hold, Sender

    with translation.override("en"):
        assert str(Sender._meta.verbose_name_plural) == "sending numbers"
        assert str(Hold._meta.verbose_name_plural) == "stops"
    with translation.override("es"):
        assert str(Sender._meta.verbose_name_plural) == "números de envío"


def test_the_fields_agency_admins_configure_have_translated_names():
    """The admin's column headings and form labels for what agencies configure."""
    from porchlight.agencies.models import Agency, Disposition, PriorityCode, StatusCode
    from porchlight.calls.models import CallType
    from porchlight.notify.models import DeliverySettings, Rule, Sender, Template

    configured = [
        Agency, PriorityCode, StatusCode, Disposition, CallType, Rule, Template, Sender,
        DeliverySettings,
    ]  # fmt: skip
    plain = []
    for model in configured:
        for f in model._meta.get_fields():
            if not f.concrete or f.auto_created or not f.editable or f.name == "ori":
                continue
            if not isinstance(f.verbose_name, Promise):
                plain.append(f"{model._meta.label}.{f.name}")
    assert not plain, f"field names not marked for translation: {plain}"
