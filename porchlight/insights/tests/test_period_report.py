"""The period report against hand-counted fixtures: the six calls (fixture.py) in the week of
2026-11-16, four more calls in the week before, three messages-dashboard texts, three survey
answers and a commendation; each headline and its comparison with the previous week, "no data"
where the week before had none, the agency's clock at the period's edges, the shortcuts, and
who may see it."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from porchlight.calls.models import Call, Status
from porchlight.demo.agency import make_agency
from porchlight.feedback.models import Commendation, Officer, Response
from porchlight.insights import period, rollups
from porchlight.insights.filters import Filters
from porchlight.insights.tests.fixture import PACIFIC
from porchlight.insights.tests.screen import tables
from porchlight.insights.tests.test_other_dashboards import answered, outbox  # noqa: F401

pytestmark = pytest.mark.django_db
WEEK = Filters(since=date(2026, 11, 16), until=date(2026, 11, 22))
URL = "/console/insights/period/"


def earlier_calls(agency):
    """Four calls in the week before (Nov 9–15), none with a delay notice."""
    for n in range(4):
        began = datetime(2026, 11, 10 + n, 10, 0, tzinfo=PACIFIC)
        Call.objects.create(
            agency=agency, incident_number=f"E{n}", status=Status.RECEIVED,
            first_event_at=began, last_event_at=began, received_at=began, beat="B1",
        )  # fmt: skip


@pytest.fixture
def counted(agency, outbox, answered):  # noqa: F811
    earlier_calls(agency)
    officer = Officer.objects.filter(agency=agency).first() or Officer.objects.create(
        agency=agency, badge="4412", name="Officer Diaz"
    )
    response = Response.objects.filter(invitation__agency=agency).first()
    Commendation.objects.create(
        agency=agency, officer=officer, response=response,
        text="Very kind  and quick.\nCall me back on 661-555-0199 to say thanks.",
        created=datetime(2026, 11, 18, 9, tzinfo=PACIFIC),
    )  # fmt: skip
    rollups.rebuild(agency)
    return agency


def lines(report):
    return {h.label: (h.now, h.before, h.change) for h in report.headlines}


def test_each_headline_and_its_comparison_by_hand(counted):
    report = period.build(counted, WEEK)
    assert (report.previous.since, report.previous.until) == (date(2026, 11, 9), date(2026, 11, 15))
    got = lines(report)
    # Calls: the six, and the three answered calls (Tue 14:14, cleared 15:05); four before.
    assert got["Calls"] == ("9", "4", "up 125% from 4")
    assert got["Calls with a delay notice"] == ("2", "0", "up from 0")  # A1 sent, A3 delivered
    assert got["Share with a delay notice"] == ("22.2%", "0.0%", "up 22.2 points from 0.0%")
    # None of the four earlier calls was dispatched or cleared: no times to compare.
    assert got["Received → dispatched p50"] == ("≤ 5 min", "–", "no data")
    assert got["Received → cleared p50"] == ("≤ 1 h", "–", "no data")  # 5th of 9: a 51 min call
    assert got["Received → cleared p90"] == ("≤ 1 h 30 min", "–", "no data")
    # Messages: the ten of the messages fixture, the three answered calls' "cleared" texts
    # (planned) and survey invitations (sent); none the week before at all.
    assert got["Messages"] == ("16", "–", "no data")
    assert got["Sent (accepted by the provider)"] == ("8", "–", "no data")
    assert got["Delivered (confirmed)"] == ("3", "–", "no data")
    assert got["Failed"] == ("2", "–", "no data")
    assert got["Opt-outs"] == ("1", "–", "no data")
    # Surveys: three invitations sent, three answered, nothing the week before.
    assert got["Invitations sent"] == ("3", "–", "no data")
    assert got["Response rate"] == ("100.0%", "–", "no data")
    assert got["CSAT (4–5 overall)"] == ("66.7%", "–", "no data")
    assert got["NPS"] == ("33.3", "–", "no data")
    assert got["Commendations"] == ("1", "–", "no data")


def test_the_figures_under_each_section_by_hand(counted):
    report = period.build(counted, WEEK)
    figures = {f.key: f for s in report.sections for f in s.figures}
    by_day = {r[0]: r[1] for r in figures["by_day"].rows}
    assert (by_day["Mon"], by_day["Tue"], by_day["Wed"]) == ("3", "6", "0")
    assert {r[0]: r[1] for r in figures["by_priority"].rows} == {"1": "3", "2": "6"}
    times = figures["times_priority"]
    assert times.columns[:4] == ["Priority", "Calls", "Received → dispatched p50",
                                 "Received → dispatched p90"]  # fmt: skip
    assert times.rows[0][:4] == ["1", "3", "≤ 1 min", "≤ 3 min"]
    assert {r[0]: r[1] for r in figures["failures"].rows} == {"30003": "1", "timeout": "1"}
    trend = figures["trend"]
    # The week by its first day, in the page's language (test_week_labels.py has Spanish).
    assert trend.rows == [["Nov. 16, 2026", "66.7%", "3", "33.3", "3"]]
    assert trend.chart is not None and len(trend.chart["csat"]) == 1
    assert [r[1] for r in figures["commendations"].rows] == ["1"]
    # The praise is quoted with the officer's name; the caller's number is hidden.
    ((officer, text),) = report.quotes
    assert officer and "661-555-0199" not in text and "[phone hidden]" in text
    assert text.startswith("Very kind and quick. Call me back")


def test_the_previous_period_with_figures_changes_in_words():
    assert period.change(period.COUNT, "374", "340", True) == "up 10% from 340"
    assert period.change(period.COUNT, "306", "340", True) == "down 10% from 340"
    assert period.change(period.COUNT, "340", "340", True) == "no change from 340"
    assert period.change(period.RATE, "70.0%", "72.5%", True) == "down 2.5 points from 72.5%"
    assert period.change(period.SCORE, "40.0", "-10.0", True) == "up 50 points from -10.0"
    assert period.change(period.TIME, "≤ 5 min", "≤ 10 min", True) == "was ≤ 10 min"
    assert period.change(period.COUNT, "5", "0", False) == "no data"
    assert period.change(period.RATE, "5.0%", "–", True) == "no data"


def test_trend_slices_weeks_and_months():
    weeks = period._slices(Filters(since=date(2026, 11, 4), until=date(2026, 11, 20)))
    assert [(f.since.day, f.until.day) for _l, f in weeks] == [(4, 8), (9, 15), (16, 20)]
    months = period._slices(Filters(since=date(2026, 1, 15), until=date(2026, 6, 30)))
    assert [label for label, _f in months] == ["2026-01", "2026-02", "2026-03", "2026-04",
                                               "2026-05", "2026-06"]  # fmt: skip
    assert months[0][1].since == date(2026, 1, 15) and months[1][1].until == date(2026, 2, 28)


def test_the_period_ends_at_midnight_on_the_agencys_clock(counted):
    # A6 began Tue 17 Nov 23:30 in Los Angeles (07:30 UTC on the 18th): it is Tuesday's.
    # On UTC days Tuesday would hold 5 and Wednesday 1.
    tuesday = lines(
        period.build(counted, Filters(since=date(2026, 11, 17), until=date(2026, 11, 17)))
    )
    assert tuesday["Calls"][0] == "6"  # A4, A5, A6 and the three answered calls
    monday = lines(
        period.build(counted, Filters(since=date(2026, 11, 16), until=date(2026, 11, 16)))
    )
    assert monday["Calls"][0] == "3"
    wednesday = lines(
        period.build(counted, Filters(since=date(2026, 11, 18), until=date(2026, 11, 18)))
    )
    assert wednesday["Calls"][0] == "0"
    # Monday's previous period is Sunday the 15th: no calls, so no comparison.
    assert monday["Calls"][1:] == ("–", "no data")


def test_the_shortcuts():
    found = dict(period.shortcuts(None, today=date(2026, 2, 10)))
    assert (found["Last month"].since, found["Last month"].until) == (
        date(2026, 1, 1),
        date(2026, 1, 31),
    )
    assert (found["Last quarter"].since, found["Last quarter"].until) == (
        date(2025, 10, 1), date(2025, 12, 31)
    )  # fmt: skip
    assert found["Last three full months"].since == date(2025, 11, 1)
    assert found["Last six full months"].since == date(2025, 8, 1)
    assert found["Last 30 days"].since == date(2026, 1, 12)


def test_the_page_shows_the_report(staff_client, counted):
    client = staff_client("readonly")
    page = client.get(f"{URL}?since=2026-11-16&until=2026-11-22")
    assert page.status_code == 200
    body = page.content.decode()
    shown = tables(body)
    compare = {r[0]: r[1:] for r in shown["compare"]["rows"]}
    assert compare["Calls"] == ["9", "4", "up 125% from 4"]
    assert compare["Messages"] == ["16", "–", "no data"]
    assert counted.name in body and "print" in body.lower()
    assert "661-555-0199" not in body


def test_bad_dates_are_refused(staff_client, counted):
    client = staff_client("readonly")
    for query in ("since=2026-11-22&until=2026-11-16", "since=tomorrow", "until=2026-13-01"):
        r = client.get(f"{URL}?{query}")
        assert r.status_code == 400 and r.content, query


def test_another_agency_sees_none_of_it(staff_client, counted):
    other = make_agency(slug="delano", name="Delano Police Department", ori="CA0150300")
    client = staff_client("admin", username="delano-admin", for_agency=other)
    body = client.get(f"{URL}?since=2026-11-16&until=2026-11-22").content.decode()
    compare = {r[0]: r[1:] for r in tables(body)["compare"]["rows"]}
    assert compare["Calls"] == ["0", "–", "no data"]
    assert compare["Commendations"] == ["0", "–", "no data"]
    assert counted.name not in body and "Very kind" not in body


def test_staff_only(client, counted):
    r = client.get(URL)
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_a_quiet_week_after_a_busy_one(counted):
    # The week after the fixtures: nothing now, everything before.
    after = Filters(since=date(2026, 11, 23), until=date(2026, 11, 29))
    got = lines(period.build(counted, after))
    assert got["Calls"] == ("0", "9", "down 100% from 9")
    assert got["Share with a delay notice"] == ("–", "22.2%", "was 22.2%")
    assert got["Messages"] == ("0", "16", "down 100% from 16")
    assert got["Invitations sent"] == ("0", "3", "down 100% from 3")
    assert got["CSAT (4–5 overall)"] == ("–", "66.7%", "was 66.7%")
    assert got["Commendations"] == ("0", "1", "down 100% from 1")
