"""Every agency starts with the default rules and templates, installed once."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from porchlight.agencies.models import Agency
from porchlight.notify import gsm, rules, templating, texts
from porchlight.notify.models import Rule, Template, Trigger


@pytest.mark.django_db
def test_a_new_agency_has_the_defaults(agency):
    made = {r.trigger: r for r in Rule.objects.filter(agency=agency)}
    assert set(made) == {
        Trigger.RECEIVED, Trigger.DELAYED, Trigger.DISPATCHED, Trigger.ENROUTE,
        Trigger.ONSCENE, Trigger.CLEARED, Trigger.REPORT,
    }  # fmt: skip
    # The phone that called may not be safe to text: these two wait for the agency's say-so.
    assert {t for t, r in made.items() if not r.enabled} == {Trigger.ENROUTE, Trigger.ONSCENE}
    assert all({t.language for t in r.templates.all()} == {"en", "es"} for r in made.values())


@pytest.mark.django_db
def test_installing_again_adds_nothing_and_keeps_changes(agency):
    rule = Rule.objects.get(agency=agency, trigger=Trigger.CLEARED)
    rule.name, rule.enabled = "Our closing text", False
    rule.save()
    Rule.objects.filter(agency=agency, trigger=Trigger.REPORT).delete()
    assert rules.install_defaults(agency) == 1  # only the deleted one comes back
    assert rules.install_defaults(agency) == 0
    rule.refresh_from_db()
    assert (rule.name, rule.enabled) == ("Our closing text", False)
    assert Rule.objects.filter(agency=agency).count() == 7


@pytest.mark.parametrize("default", rules.DEFAULTS, ids=lambda d: d.trigger)
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.django_db
def test_the_built_in_words_pass_their_own_check(agency, default, language):
    subject, body = default.templates[language]
    with translation.override(language):
        samples = texts.sample_values(agency)
    text, title = templating.check(body, subject, default.trigger, samples)
    assert "26-001234" in text and "26-001234" in title
    # The default words cost at most two GSM-7 segments, in Spanish too.
    analysis = gsm.analyse(gsm.normalise(text))
    assert analysis.encoding == "GSM-7" and analysis.segments <= 2, text


@pytest.mark.django_db
def test_the_data_migration_gives_existing_agencies_the_defaults():
    # The models as they were just before rules got their defaults: an agency made then.
    state = MigrationExecutor(connection).loader.project_state(
        ("notify", "0007_rules_outbox_context")
    )
    old = state.apps
    agency = old.get_model("agencies", "Agency").objects.create(
        name="Old PD", slug="old", ori="CA0159990", non_emergency_number="555-0100"
    )
    migration = importlib.import_module("porchlight.notify.migrations.0008_rules_defaults")
    migration.install(old, None)
    migration.install(old, None)  # and only once
    assert Rule.objects.filter(agency_id=agency.pk).count() == 7
    assert Template.objects.filter(rule__agency_id=agency.pk).count() == 14


@pytest.mark.django_db
def test_the_demo_shows_a_configured_rule(settings, tmp_path):
    from porchlight.demo import seed

    settings.VAR_DIR = tmp_path
    demo = seed.seed(history_days=0)
    enroute = Rule.objects.get(agency=demo.agency, trigger=Trigger.ENROUTE)
    assert enroute.enabled and enroute.priority_codes == ["1", "2"]
    assert Rule.objects.filter(agency=demo.neighbour).count() == 7
    # The demo agency also has the case rules its demo cases brought (cases/defaults.py).
    total = Rule.objects.filter(agency__in=Agency.objects.all()).count()
    seed.seed(history_days=0)  # again: nothing more
    assert Rule.objects.filter(agency__in=Agency.objects.all()).count() == total
