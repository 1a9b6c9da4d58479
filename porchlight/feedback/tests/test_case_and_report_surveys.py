"""Surveys after a case closes (cases.status.close) and after an online report is filed
(reports.filing.file_report): the same invitation path, the same one-time link."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from porchlight.cases.open import open_case
from porchlight.cases.status import close
from porchlight.feedback import defaults
from porchlight.feedback.models import Invitation, Kind, Question, Survey, When
from porchlight.notify.models import Outbox, Trigger
from porchlight.reports.demo import seed_categories
from porchlight.reports.filing import file_report
from porchlight.reports.location import Place
from porchlight.reports.models import Source

PACIFIC = ZoneInfo("America/Los_Angeles")
NOON = datetime(2026, 11, 24, 12, 0, tzinfo=PACIFIC)


def survey(agency, when, delay_hours=2):
    defaults.ensure(agency.pk)
    made = Survey.objects.create(agency=agency, name=str(when), when=when, delay_hours=delay_hours)
    Question.objects.create(
        survey=made, kind=Kind.RATING, about="overall", required=True, text_en="Overall?"
    )
    return made


def a_case(agency, *, domestic_violence=False, incidents=()):
    return open_case(
        agency,
        source="console",
        offense_code="23H",
        offense="All other larceny",
        occurred_at=None,
        address="1600 Truxtun Ave",
        lat=None,
        lon=None,
        reporter_phone="661-555-0177",
        language="es",
        domestic_violence=domestic_violence,
        incident_numbers=incidents,
    )


@pytest.mark.django_db
def test_closing_a_case_invites_its_reporter_once(agency):
    chosen = survey(agency, When.CASE_CLOSED)
    with time_machine.travel(NOON, tick=False):
        case = a_case(agency)
        close(case, term="cleared_arrest", at=NOON, source="console")
        # Closed again (a replayed RMS event with another term): nobody is asked twice.
        close(case, term="exceptional_b", at=NOON, source="rms")
    invitation = Invitation.objects.get()
    assert invitation.survey == chosen and invitation.when == When.CASE_CLOSED
    assert invitation.reference.startswith(f"case:{case.number}:")
    assert invitation.language == "es"
    row = Outbox.objects.get(trigger=Trigger.SURVEY)
    assert row.due_at == datetime(2026, 11, 24, 14, 0, tzinfo=PACIFIC)
    # The text names the case by its number, as the person knows it.
    assert row.context["incident_number"] == case.number


@pytest.mark.django_db
def test_a_domestic_violence_case_asks_nobody(agency):
    survey(agency, When.CASE_CLOSED)
    with time_machine.travel(NOON, tick=False):
        case = a_case(agency, domestic_violence=True)
        close(case, term="cleared_arrest", at=NOON, source="console")
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_without_a_case_survey_closing_asks_nobody(agency):
    defaults.ensure(agency.pk)  # only the after-a-call survey
    with time_machine.travel(NOON, tick=False):
        close(a_case(agency), term="cleared_arrest", at=NOON, source="console")
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_a_case_linked_to_an_excluded_call_asks_nobody(agency):
    from porchlight.feedback.tests.calls import cleared_call

    survey(agency, When.CASE_CLOSED)
    with time_machine.travel(NOON, tick=False):
        cleared_call(agency, "26-070001", call_type="261")
        case = a_case(agency, incidents=["26-070001"])
        close(case, term="cleared_arrest", at=NOON, source="console")
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_filing_an_online_report_invites_the_reporter(agency):
    survey(agency, When.ONLINE_REPORT, delay_hours=0)
    theft = seed_categories(agency)[0]
    with time_machine.travel(NOON, tick=False):
        report = file_report(
            theft,
            source=Source.ONLINE,
            description="My bike was taken from the rack.",
            answers={"value": "300", "items": "A blue bike"},
            place=Place("1600 Truxtun Ave", 35.37329, -119.01871, 1),
            reporter_phone="661-555-0199",
            language="es",
        )
    invitation = Invitation.objects.get()
    assert invitation.when == When.ONLINE_REPORT
    assert invitation.language == "es"
    assert report.case.number in invitation.reference
    assert Outbox.objects.get(trigger=Trigger.SURVEY).channel == "sms"


@pytest.mark.django_db
def test_an_anonymous_report_asks_nobody(agency):
    survey(agency, When.ONLINE_REPORT)
    theft = seed_categories(agency)[0]
    with time_machine.travel(NOON, tick=False):
        file_report(
            theft,
            source=Source.ONLINE,
            description="Bike gone.",
            answers={"value": "300", "items": "A bike"},
            place=None,
        )
    assert not Invitation.objects.exists()
