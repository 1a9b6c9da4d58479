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


def overall_rows(figures: measures.Figures) -> list[tuple[str, float | None, int, int]]:
    return [
        (f.question.text_en, f.average, f.answered, f.questions)
        for f in figures.questions
        if f.question.about == About.OVERALL
    ]


def test_per_question_one_row_per_wording_across_agencies(two_clocks):
    # Saturday 31 October to Sunday 1 November, local: P1 (5) and P2 (1) in Los Angeles, E1
    # (5) in New York. Each agency's default survey asks the same overall question.
    weekend = measures.Filters(since=date(2026, 10, 31), until=SUNDAY)
    figures = measures.compute(None, weekend)
    assert figures.across_agencies
    [(text, average, answered, questions)] = overall_rows(figures)
    assert text.startswith("Overall")
    # Over the three answers (11 / 3), not the average of the agencies' averages (3 and 5).
    assert (average, answered, questions) == (3.67, 3, 2)
    texts = [(f.question.text_en, f.question.kind) for f in figures.questions]
    assert len(texts) == len(set(texts))


def test_per_question_keeps_a_different_kind_apart(two_clocks):
    pacific, east = two_clocks
    overall = Question.objects.get(survey__agency=east, about=About.OVERALL)
    # The same words, asked on a 0–10 scale in New York: not the same question.
    ten = Question.objects.create(
        survey=overall.survey, kind=Kind.NPS, text_en=overall.text_en, position=99
    )
    Answer.objects.create(response=Response.objects.get(invitation__reference="E1"),
                          question=ten, number=10)  # fmt: skip
    figures = measures.compute(None, measures.Filters(since=date(2026, 10, 31), until=SUNDAY))
    same = [(f.question.kind, f.average, f.answered) for f in figures.questions
            if f.question.text_en == overall.text_en]  # fmt: skip
    assert same == [(Kind.RATING, 3.67, 3), (Kind.NPS, 10.0, 1)]


def test_per_question_an_agency_view_is_unchanged(two_clocks):
    pacific, east = two_clocks
    weekend = measures.Filters(since=date(2026, 10, 31), until=SUNDAY)
    figures = measures.compute(pacific, weekend)
    assert not figures.across_agencies
    assert [row[1:] for row in overall_rows(figures)] == [(3.0, 2, 1)]
    assert [row[1:] for row in overall_rows(measures.compute(east, weekend))] == [(5.0, 1, 1)]


def test_the_superuser_feedback_page_has_one_row_per_question(client, two_clocks):
    client_login(client, make_superuser())
    page = client.get("/console/feedback/?since=2026-10-31&until=2026-11-01")
    html = page.content.decode()
    overall = Question.objects.filter(about=About.OVERALL).first()
    assert overall is not None
    assert html.count(f">{overall.text_en}<") == 1
    assert "is one row, averaged over all their answers" in html
