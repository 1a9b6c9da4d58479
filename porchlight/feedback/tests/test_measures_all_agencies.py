"""The all-agency view (a platform superuser, no agency chosen) reads each survey, answer,
follow-up, commendation and opt-out on its own agency's clock, never the server's (UTC), as
the insights rows pages do (insights/filters.py, clocks).

Two agencies three hours apart, across the night daylight time ended (Sunday 2026-11-01).
P1 and E1 happened at the same instant (06:30 UTC Sunday) on different local days."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from porchlight.demo.agency import make_agency
from porchlight.feedback import defaults, measures
from porchlight.feedback.models import (
    About,
    Answer,
    Commendation,
    FollowUp,
    Invitation,
    Kind,
    Officer,
    Question,
    Response,
    Survey,
)
from porchlight.insights.dashboards import feedback as feedback_dashboard
from porchlight.insights.dashboards import messages as messages_dashboard
from porchlight.insights.filters import Filters
from porchlight.notify.models import Channel, ConsentChange, Contact, Outbox, State, Trigger
from standins.browser import client_login, make_superuser

pytestmark = pytest.mark.django_db

PACIFIC, EASTERN = ZoneInfo("America/Los_Angeles"), ZoneInfo("America/New_York")
# name, clock, local time, overall rating
NIGHT = [
    ("P1", PACIFIC, datetime(2026, 10, 31, 23, 30), 5),  # Sat; 06:30 UTC Sunday
    ("E1", EASTERN, datetime(2026, 11, 1, 1, 30, fold=1), 5),  # Sun 01:30 EST = P1's instant
    ("E2", EASTERN, datetime(2026, 11, 2, 0, 30), 5),  # Mon; 05:30 UTC, Sun 21:30 Pacific
    ("P2", PACIFIC, datetime(2026, 11, 1, 23, 30), 1),  # Sun (PST); 07:30 UTC Monday
]
SUNDAY = date(2026, 11, 1)


@pytest.fixture
def two_clocks(agency):
    east = make_agency(
        slug="albany", name="Albany Police", ori="NY0010100", time_zone="America/New_York"
    )
    for name, tz, wall, rating in NIGHT:
        owner = agency if tz is PACIFIC else east
        defaults.ensure(owner.pk)
        at = wall.replace(tzinfo=tz)
        contact = Contact.objects.create(
            agency=owner, channel=Channel.SMS, address_hash=name.rjust(64, "0")
        )
        sent = Outbox.objects.create(
            agency=owner, contact=contact, channel=Channel.SMS, trigger=Trigger.SURVEY,
            dedupe_key=f"s:{name}", due_at=at, state=State.SENT,
        )  # fmt: skip
        invitation = Invitation.objects.create(
            agency=owner, survey=Survey.objects.filter(agency=owner).first(),
            when="cleared", reference=name, contact=contact, outbox=sent,
            token_hash=name, created=at, due_at=at, expires_at=at.replace(year=2027),
        )  # fmt: skip
        response = Response.objects.create(invitation=invitation, started=at, submitted_at=at)
        overall = Question.objects.filter(
            survey=invitation.survey, kind=Kind.RATING, about=About.OVERALL
        ).first()
        Answer.objects.create(response=response, question=overall, number=rating)
        if name != "P2":  # a follow-up, a commendation and an opt-out at P1, E1 and E2
            FollowUp.objects.create(agency=owner, response=response, reason="low", created=at)
            officer = Officer.objects.create(agency=owner, badge=name, name=f"Ofc. {name}")
            Commendation.objects.create(
                agency=owner, officer=officer, response=response, text="thanks", created=at
            )
            ConsentChange.objects.create(
                channel=Channel.SMS, address_hash=contact.address_hash, source="sms:STOP",
                action=ConsentChange.Action.OPT_OUT, at=at,
            )  # fmt: skip
    return agency, east


def test_the_feedback_figures_read_each_agency_clock(two_clocks):
    figures = measures.compute(None, measures.Filters(since=SUNDAY, until=SUNDAY))
    # The local Sunday holds E1 and P2 (UTC's held P1 and E1): one 5 and one 1.
    assert (figures.invited, figures.responded) == (2, 2)
    assert figures.csat == 50.0


def test_an_agency_still_reads_its_own_clock(two_clocks):
    pacific, east = two_clocks
    sunday = measures.Filters(since=SUNDAY, until=SUNDAY)
    assert measures.compute(pacific, sunday).responded == 1  # P2
    assert measures.compute(east, sunday).responded == 1  # E1


def test_the_weekly_csat_puts_each_answer_in_its_agency_week(two_clocks):
    with time_machine.travel(datetime(2026, 11, 3, 12, tzinfo=ZoneInfo("UTC")), tick=False):
        figures = measures.compute(None, measures.Filters())
    weeks = {week: (value, n) for week, value, n in figures.weekly}
    # P2 (Sunday in Los Angeles, Monday in UTC) stays in the week of Monday 26 October.
    assert weeks[date(2026, 10, 26)] == (66.7, 3)
    assert weeks[date(2026, 11, 2)] == (100.0, 1)


def test_the_dashboards_count_on_each_agency_clock(two_clocks):
    sunday = Filters(since=SUNDAY, until=SUNDAY)
    summary = feedback_dashboard.compute(None, sunday).figures[0]
    values = {row[0]: row[1] for row in summary.rows}
    assert values["CSAT (4–5 overall)"] == "50.0%"
    # Those at P1, E1 and E2: only E1's was on a local Sunday (UTC's Sunday held P1 and E1).
    assert values["Follow-ups not resolved"] == "1"
    assert values["Commendations"] == "1"
    summary = messages_dashboard.compute(None, sunday).figures[0]
    assert {row[0]: row[1] for row in summary.rows}["Opt-outs"] == "1"
    assert {row[0]: row[1] for row in messages_dashboard.compute(two_clocks[1], sunday)
            .figures[0].rows}["Opt-outs"] == "1"  # fmt: skip


def test_the_superuser_feedback_page_shows_them(client, two_clocks):
    client_login(client, make_superuser())
    page = client.get("/console/feedback/?since=2026-11-01&until=2026-11-01")
    assert page.status_code == 200
    html = " ".join(page.content.decode().split())
    assert "<strong>50.0%</strong>" in html and "2 of 2 sent" in html
