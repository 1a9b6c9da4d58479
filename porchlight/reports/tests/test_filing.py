"""file_report opens the case and plans the reporter's "report taken" update, in one go."""

from __future__ import annotations

import pytest
from django.utils import translation

from porchlight.audit.models import AuditEntry
from porchlight.cases.models import Case, Victim
from porchlight.notify.models import Outbox, Trigger
from porchlight.reports.filing import file_report
from porchlight.reports.location import Place, public_address
from porchlight.reports.models import Report, Source


def test_a_report_opens_a_case_and_the_reporter_hears_the_number(categories) -> None:
    theft = categories[0]
    report = file_report(
        theft,
        source=Source.ONLINE,
        description="My bike was taken from the rack.",
        answers={"value": "300", "items": "A blue bike"},
        place=Place("1600 Truxtun Ave", 35.37329, -119.01871, 1),
        reporter_phone="661-555-0199",
        reporter_email="pat@example.org",
        language="es",
    )
    case = report.case
    assert case.source == "online"
    assert (case.offense_code, case.offense) == ("23H", "All other larceny")
    assert case.address == "1600 Truxtun Ave" and case.lat == pytest.approx(35.37329)
    reporter = Victim.objects.get(case=case)
    assert reporter.reporter and reporter.language == "es"
    planned = Outbox.objects.filter(trigger=Trigger.CASE_OPENED)
    assert {row.channel for row in planned} == {"sms", "email"}
    assert all(row.language == "es" for row in planned)
    # The contact went to the case's (encrypted) contacts; the report keeps none of it.
    stored = Report.objects.filter(pk=report.pk).values()[0]
    # The whole number, not "555": a timestamp's microseconds can hold those digits.
    assert "5550199" not in str(stored).replace("-", "") and "pat@" not in str(stored)
    assert len(report.token) == 24
    entry = AuditEntry.objects.get(action="report.filed")
    assert entry.changes == {"case": case.number, "category": "theft", "photos": 0}


def test_an_anonymous_report_still_gets_a_case_but_plans_nothing(categories) -> None:
    abandoned = categories[-1]
    report = file_report(
        abandoned,
        source=Source.OPEN311,
        description="",
        answers={"days": "5"},
        place=None,
    )
    assert Case.objects.get().number == report.case.number
    assert not Outbox.objects.exists()


def test_the_public_sees_the_hundred_block_only() -> None:
    with translation.override("en"):
        assert public_address("1642 Truxtun Ave") == "1600 block of TRUXTUN AVE"
    assert public_address("Truxtun and Chester") == ""
    assert public_address("") == ""
