"""The messages, feedback and cases dashboards against small hand-counted fixtures, their
CSV against the screen, and their rows pages."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import time_machine

from porchlight.cases.models import Case, CaseEvent, EventKind, Term
from porchlight.feedback.models import Kind, Question, Survey
from porchlight.feedback.tests.calls import cleared_call, questions, survey_path
from porchlight.insights.dashboards import cases, feedback, messages
from porchlight.insights.filters import Filters
from porchlight.insights.tests.fixture import MONDAY, PACIFIC, six_calls
from porchlight.insights.tests.screen import csv_rows, tables
from porchlight.notify.models import Channel, ConsentChange, Contact, Outbox, State, Trigger

pytestmark = pytest.mark.django_db
WEEK = "since=2026-11-16&until=2026-11-22"
RANGE = Filters(since=date(2026, 11, 16), until=date(2026, 11, 22))


def rows_of(figure):
    return {row[0]: row[1:] for row in figure.rows}


@pytest.fixture
def outbox(agency):
    """The six calls' three delay notices (A1 sent, A3 delivered, A5 suppressed, all with no
    body), and seven more messages on Monday."""
    calls = six_calls(agency)
    contact = Contact.objects.get(agency=agency)
    at = MONDAY + timedelta(hours=10)
    made = [
        # state, channel, body, error code, reason, call
        (State.SENT, Channel.SMS, "x" * 150, "", "", calls["A2"]),  # 1 segment
        (State.DELIVERED, Channel.SMS, "y" * 200, "", "", calls["A2"]),  # 2 segments (153 a part)
        (State.DELIVERED, Channel.EMAIL, "an email", "", "", None),
        (State.FAILED, Channel.SMS, "z", "30003", "provider reported undelivered (30003)", None),
        (State.DEAD, Channel.SMS, "z", "", "timeout: gave up after 5 tries", None),
        (State.SUPPRESSED, Channel.SMS, "", "", "opted out", calls["A6"]),
        (State.SUPPRESSED, Channel.SMS, "", "", "opted out", None),
    ]
    for n, (state, channel, body, code, reason, call) in enumerate(made):
        Outbox.objects.create(
            agency=agency, contact=contact, channel=channel, trigger=Trigger.CLEARED, call=call,
            dedupe_key=f"m{n}", state=state, due_at=at, body=body, error_code=code,
            reason=reason, created=at,
        )  # fmt: skip
    Outbox.objects.filter(trigger=Trigger.DELAYED).update(created=at)
    ConsentChange.objects.create(
        channel=Channel.SMS, address_hash=contact.address_hash, sender="",
        action=ConsentChange.Action.OPT_OUT, source="sms:STOP", at=at,
    )  # fmt: skip
    return calls


def test_messages_by_hand(agency, outbox):
    board = messages.compute(agency, RANGE)
    summary = rows_of(board.figure("summary"))
    assert summary["Messages"] == ["10"]
    assert summary["Sent (accepted by the provider)"] == ["5"]  # 2 sent + 3 delivered
    assert summary["Delivered (confirmed)"] == ["3"]
    assert summary["Failed"] == ["2"]
    assert summary["Suppressed"] == ["3"]
    assert summary["Delivered of sent"] == ["60.0%"]
    assert summary["Opt-outs"] == ["1"]
    assert summary["SMS segments sent"] == ["3"]  # the delay notices' empty bodies are none
    assert summary["Estimated SMS cost (USD)"] == ["0.02"]  # 3 × $0.0079
    assert rows_of(board.figure("failures")) == {"30003": ["1"], "timeout": ["1"]}
    assert rows_of(board.figure("suppressed")) == {"opted out": ["2"], "(none)": ["1"]}
    beat = rows_of(
        messages.compute(agency, Filters(RANGE.since, RANGE.until, beat="B3")).figure("summary")
    )
    assert beat["Messages"] == ["2"]  # A5's notice and A6's suppressed update


def test_messages_csv_and_rows(staff_client, agency, outbox):
    client = staff_client("readonly")
    shown = tables(client.get(f"/console/insights/messages/?{WEEK}").content.decode())
    exported = csv_rows(
        client.get(f"/console/insights/messages/export.csv?{WEEK}").content.decode()
    )
    assert sum(len(t["rows"]) + 1 for t in shown.values()) == len(exported) - 1
    assert ["Failed", "2"] in shown["summary"]["rows"]
    failed = tables(
        client.get(
            f"/console/insights/messages/rows/?{WEEK}&state=failed&reason=timeout"
        ).content.decode()
    )
    assert [r[4] for r in failed["rows"]["rows"]] == ["Dead"]
    assert client.get(f"/console/insights/messages/rows/?{WEEK}&state=bogus").status_code == 400


@pytest.fixture
def answered(client, agency):
    """Three calls answered: overall 5 and 4 in beat B12, 1 in B40 (which opens a follow-up);
    NPS 10, 9 and 3."""
    cleared = datetime(2026, 11, 17, 15, 6, tzinfo=PACIFIC)
    with time_machine.travel(cleared, tick=False):
        calls = [
            cleared_call(agency, "26-050001", beat="B12", day="2026-11-17"),
            cleared_call(agency, "26-050002", beat="B12", day="2026-11-17"),
            cleared_call(agency, "26-050003", beat="B40", call_type="415", day="2026-11-17"),
        ]
    survey = Survey.objects.get(agency=agency)
    Question.objects.create(survey=survey, position=99, kind=Kind.NPS, text_en="Recommend us?")
    Outbox.objects.filter(trigger=Trigger.SURVEY).update(state=State.SENT)
    with time_machine.travel(cleared + timedelta(days=1), tick=False):
        for call, overall, nps in zip(calls, ("5", "4", "1"), ("10", "9", "3"), strict=True):
            q = questions(call)
            assert (
                client.post(survey_path(call), {q["overall"]: overall, q[""]: nps}).status_code
                == 302
            )
    return calls


def test_feedback_by_hand(agency, answered):
    board = feedback.compute(agency, RANGE)
    summary = rows_of(board.figure("summary"))
    assert summary["Invitations sent"] == ["3"] and summary["Responses"] == ["3"]
    assert summary["Response rate"] == ["100.0%"]
    assert summary["CSAT (4–5 overall)"] == ["66.7%"]
    assert summary["NPS"] == ["33.3"]  # two promoters, one detractor, of three
    assert summary["Follow-ups not resolved"] == ["1"]  # the 1
    beats = rows_of(board.figure("by_beat"))
    assert beats["B12"] == ["2", "100.0%", "2", "100.0"]
    assert beats["B40"] == ["1", "0.0%", "1", "-100.0"]
    assert rows_of(board.figure("by_call_type"))["415"][:2] == ["1", "0.0%"]
    officers = board.figure("by_officer").rows
    assert len(officers) == 1 and officers[0][1:3] == ["3", "66.7%"]
    b40 = rows_of(
        feedback.compute(agency, Filters(RANGE.since, RANGE.until, beat="B40")).figure("summary")
    )
    assert b40["Responses"] == ["1"] and b40["CSAT (4–5 overall)"] == ["0.0%"]


def test_feedback_page_csv_and_rows(staff_client, agency, answered):
    client = staff_client("readonly")
    page = client.get(f"/console/insights/feedback/?{WEEK}")
    shown = tables(page.content.decode())
    exported = csv_rows(
        client.get(f"/console/insights/feedback/export.csv?{WEEK}").content.decode()
    )
    titles = {"summary": "Summary", "by_beat": "CSAT and NPS by beat"}
    for key, title in titles.items():
        assert [shown[key]["columns"], *shown[key]["rows"]] == [
            r[1:] for r in exported if r[0] == title
        ]
    found = tables(client.get(f"/console/insights/feedback/rows/?{WEEK}&beat=B12").content.decode())
    assert sorted(r[7] for r in found["rows"]["rows"]) == ["4", "5"]


@pytest.fixture
def four_cases(agency):
    opened = datetime.combine(date(2026, 11, 18), time(9), tzinfo=PACIFIC)
    made = {}
    for number, term, after in (
        ("C1", Term.OPEN, None),
        ("C2", Term.ASSIGNED, timedelta(hours=2)),
        ("C3", Term.CLEARED_ARREST, timedelta(minutes=30)),
        ("C4", Term.UNFOUNDED, None),
    ):
        case = Case.objects.create(
            agency=agency, number=number, source="rms", term=term, created=opened
        )
        if after is not None:
            CaseEvent.objects.create(case=case, kind=EventKind.ASSIGNED, at=opened + after)
        made[number] = case
    return made


def test_cases_by_hand(agency, four_cases):
    summary = rows_of(cases.compute(agency, RANGE).figure("summary"))
    assert summary["Cases opened"] == ["4"]
    assert summary["Still open"] == ["2"]
    assert summary["Cleared"] == ["1"] and summary["Clearance rate"] == ["25.0%"]
    assert summary["Assigned to a detective"] == ["2"]
    assert summary["Time to assignment p50"] == ["≤ 30 min"]
    assert summary["Time to assignment p90"] == ["≤ 2 h"]
    status = rows_of(cases.compute(agency, RANGE).figure("status"))
    assert status == {
        "Open": ["1"],
        "Assigned": ["1"],
        "Cleared by arrest": ["1"],
        "Unfounded": ["1"],
    }


def test_cases_page_and_rows(staff_client, agency, four_cases):
    client = staff_client("readonly")
    shown = tables(client.get(f"/console/insights/cases/?{WEEK}").content.decode())
    assert ["Clearance rate", "25.0%"] in shown["summary"]["rows"]
    open_rows = tables(client.get(f"/console/insights/cases/rows/?{WEEK}&open=1").content.decode())
    assert sorted(r[0] for r in open_rows["rows"]["rows"]) == ["C1", "C2"]
    assert client.get(f"/console/insights/cases/rows/?{WEEK}&term=nope").status_code == 400
