"""`porchlight createagency`: an agency from the shell, with the admin's default rules, audited."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from porchlight.agencies.models import Agency
from porchlight.audit.models import AuditEntry
from porchlight.notify import rules
from porchlight.notify.models import Rule

ARGS = {
    "slug": "kern-so",
    "name": "Kern County Sheriff's Office",
    "ori": "CA0150000",
    "time_zone": "America/Los_Angeles",
    "non_emergency_number": "661-861-3110",
}


def create(**overrides: str) -> str:
    out = StringIO()
    options = {**ARGS, **overrides}
    argv = [f"--{name.replace('_', '-')}={value}" for name, value in options.items()]
    call_command("createagency", *argv, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_creates_the_agency_with_default_rules_and_an_audit_entry():
    out = create(languages="es,en")
    agency = Agency.objects.get(slug="kern-so")
    assert agency.name == "Kern County Sheriff's Office"
    assert agency.ori == "CA0150000"
    assert agency.time_zone == "America/Los_Angeles"
    assert agency.non_emergency_number == "661-861-3110"
    assert agency.languages == ["es", "en"]
    assert agency.default_language == "es"
    # The same rules the admin's "Add agency" installs.
    triggers = set(Rule.objects.filter(agency=agency).values_list("trigger", flat=True))
    assert triggers == {str(d.trigger) for d in rules.DEFAULTS}
    assert rules.install_defaults(agency) == 0
    entry = AuditEntry.objects.get(action="agency.create")
    assert entry.agency == agency
    assert entry.actor_label == "createagency"
    assert entry.target_id == str(agency.pk)
    assert entry.changes["ori"] == "CA0150000"
    assert entry.changes["rules"] == len(rules.DEFAULTS)
    assert "porchlight createstaff --agency kern-so" in out


@pytest.mark.django_db
def test_languages_default_to_every_language_porchlight_speaks():
    create()
    assert Agency.objects.get(slug="kern-so").languages == ["en", "es"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ori": "CA015"}, "--ori: An ORI is 9 characters"),
        ({"time_zone": "Pacific/Bakersfield"}, "--time-zone: Pacific/Bakersfield is not a known"),
        ({"slug": "Kern SO"}, "--slug:"),
        ({"languages": "en,fr"}, "--languages: fr; available: en, es"),
        ({"languages": ","}, "--languages: none given"),
        ({"non_emergency_number": " "}, "--non-emergency-number:"),
    ],
)
def test_bad_input_is_refused_with_the_reason(overrides, message):
    with pytest.raises(CommandError, match=message):
        create(**overrides)
    assert not Agency.objects.exists()
    assert not AuditEntry.objects.filter(action="agency.create").exists()


@pytest.mark.django_db
def test_an_existing_slug_or_ori_is_refused():
    create()
    with pytest.raises(
        CommandError, match=r"--slug: Agency with this Short name \(in URLs\) already exists"
    ):
        create(ori="CA0150001")
    with pytest.raises(CommandError, match="--ori: Agency with this ORI already exists"):
        create(slug="kern-so-2")
    assert Agency.objects.count() == 1
