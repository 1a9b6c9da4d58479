"""The default templates are written for cost: counted with a production-length tracking link
(an https:// host of 30 characters and a 16-character token), each text is one GSM-7 segment
in English and in Spanish, except the notice on a text that is not the call's first; so the
demo's texts average well under the 1.3 segments the issue asks for (docs/performance.md)."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from porchlight.calls.track import TOKEN_BYTES
from porchlight.notify import gsm, rules, templating, texts
from porchlight.notify.models import Rule, Template, Trigger

HOST = "updates.bakersfield-police.gov"
REPORT = "R26-003585"


def test_the_sample_link_is_as_long_as_a_production_one():
    assert len(HOST) == 30 and texts.SAMPLE_LINK_BASE == f"https://{HOST}"
    assert len(texts.SAMPLE_TOKEN) == 16 == TOKEN_BYTES * 4 // 3


def renderings(agency, default, language, *, first):
    """The template's text for every disposition wording, with and without a report number,
    as the worker sends it (gsm.cheapest, the default accents setting)."""
    _subject, body = default.templates[language]
    with translation.override(language):
        for disposition in texts.DISPOSITIONS.values():
            for report in ("", REPORT):
                values = texts.sample_values(agency)
                values |= {"disposition": str(disposition), "report_number": report}
                if not first:
                    values["notice"] = ""
                yield gsm.cheapest(templating.render(body, default.trigger, values))


# The bound per template: the first text of a call (link and notice) and every later update
# fit one segment. An update that happens to be a call's first (its "received" rule off, say)
# carries the notice and may take two.
@pytest.mark.parametrize("default", rules.DEFAULTS, ids=lambda d: d.trigger)
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.django_db
def test_each_default_text_is_one_segment(agency, default, language):
    assert agency.text_name == "Bakersfield PD"
    later = list(renderings(agency, default, language, first=False))
    first = list(renderings(agency, default, language, first=True))
    for text in later:
        analysis = gsm.analyse(text)
        assert (analysis.encoding, analysis.segments) == ("GSM-7", 1), text
        assert text.startswith("Bakersfield PD")  # every text names the agency
        assert "STOP" not in text  # later updates do without the notice
    bound = 1 if default.trigger == Trigger.RECEIVED else 2
    for text in first:
        analysis = gsm.analyse(text)
        assert analysis.encoding == "GSM-7" and analysis.segments <= bound, text
        assert "911" in text and "STOP" in text
    if default.trigger == Trigger.RECEIVED:
        assert all(f"{HOST}/t/{texts.SAMPLE_TOKEN}" in t for t in first)


@pytest.mark.django_db
def test_old_default_words_are_reworded_and_edited_ones_kept(agency):
    migration = importlib.import_module(
        "porchlight.notify.migrations.0011_deliverysettings_accents_and_more"
    )
    apps = (
        MigrationExecutor(connection)
        .loader.project_state(("notify", "0011_deliverysettings_accents_and_more"))
        .apps
    )
    # An agency made before: its templates still the old defaults, one of them edited.
    for trigger, language, old, _new in migration.REWORDED:
        Template.objects.filter(rule__agency=agency, rule__trigger=trigger,
                                language=language).update(body=old)  # fmt: skip
    edited = Template.objects.get(rule__agency=agency, rule__trigger=Trigger.CLEARED,
                                  language="es")  # fmt: skip
    edited.body = "{{ agency }}: terminamos. {{ opt_out }}"
    edited.save()

    migration.reword(apps, None)
    for rule in Rule.objects.filter(agency=agency):
        for template in rule.templates.all():
            if template.pk == edited.pk:
                assert template.body == "{{ agency }}: terminamos. {{ opt_out }}"
            else:
                assert (
                    template.body
                    == rules.DEFAULT_BY_TRIGGER[rule.trigger].templates[template.language][1]
                )


@pytest.mark.django_db
def test_the_preview_counts_the_sites_own_link_once_it_has_one(agency, settings):
    settings.SITE_URL = "http://localhost:8000"  # development: the production-length sample
    assert texts.sample_values(agency)["track_url"].startswith(f"https://{HOST}/t/")
    settings.SITE_URL = "https://texts.example-county-sheriff-office.gov"
    assert texts.sample_values(agency)["track_url"] == (
        f"https://texts.example-county-sheriff-office.gov/t/{texts.SAMPLE_TOKEN}"
    )
