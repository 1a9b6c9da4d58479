"""Long ranges read whole months from the month rollup and only the days at the ends from the
day rollup; the answer must be the same as from days alone. The six hand-counted calls
(fixture.py, 16–17 November 2026) fill November; two more fall in the edge days (25 October,
a Sunday; 2 December, a Wednesday) and one outside the range (10 October)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from porchlight.calls.models import Call, Status
from porchlight.insights import rollups
from porchlight.insights.dashboards import calls
from porchlight.insights.filters import Filters
from porchlight.insights.models import BeatRollup, MonthRollup
from porchlight.insights.tests.fixture import PACIFIC, six_calls

pytestmark = pytest.mark.django_db
RANGE = Filters(since=date(2026, 10, 20), until=date(2026, 12, 5))
EXTRA = [
    ("E1", datetime(2026, 10, 25, 10, 5, tzinfo=PACIFIC), "B1", "D1"),
    ("E2", datetime(2026, 12, 2, 7, 40, tzinfo=PACIFIC), "B3", "D2"),
    ("E0", datetime(2026, 10, 10, 12, 0, tzinfo=PACIFIC), "B1", "D1"),  # before the range
]


@pytest.fixture
def counted(agency):
    made = six_calls(agency)
    a1 = made["A1"]
    for number, began, beat, district in EXTRA:
        Call.objects.create(
            agency=agency, incident_number=number, call_type=a1.call_type,
            priority=a1.priority, status=Status.CLEARED, first_event_at=began,
            last_event_at=began + timedelta(minutes=50), received_at=began,
            dispatched_at=began + timedelta(minutes=4), onscene_at=None,
            cleared_at=began + timedelta(minutes=50), beat=beat, district=district,
        )  # fmt: skip
    rollups.rebuild(agency)
    return agency


def test_whole_months_of_a_range():
    assert calls.whole_months(RANGE) == (date(2026, 11, 1), date(2026, 11, 1))
    exact = Filters(since=date(2026, 1, 1), until=date(2026, 12, 31))
    assert calls.whole_months(exact) == (date(2026, 1, 1), date(2026, 12, 1))
    assert calls.whole_months(Filters(since=date(2026, 11, 2), until=date(2026, 11, 30))) is None
    leap = Filters(since=date(2028, 2, 1), until=date(2028, 2, 29))
    assert calls.whole_months(leap) == (date(2028, 2, 1), date(2028, 2, 1))


def test_the_month_rollup_by_hand(counted):
    november = MonthRollup.objects.filter(agency=counted, month=date(2026, 11, 1))
    # A1–A3 on Monday (ISO 1), A4–A6 on Tuesday (2).
    assert {(r.weekday, r.beat, r.priority, r.calls) for r in november} == {
        (1, "B1", "1", 2), (1, "B2", "2", 1), (2, "B2", "2", 1), (2, "B3", "1", 1),
        (2, "B3", "2", 1),
    }  # fmt: skip
    assert sum(r.h08 for r in november) == 2 and sum(r.delayed for r in november) == 2
    october = MonthRollup.objects.get(agency=counted, month=date(2026, 10, 1), weekday=7)
    assert (october.calls, october.h10) == (1, 1)


def test_months_and_days_answer_as_days_alone(counted):
    sources = calls.rollups(counted, RANGE)
    assert [s.rows.model for s in sources] == [BeatRollup, MonthRollup]
    # The edge days hold only E1 and E2; November comes from the month rows.
    assert sum(r.calls for r in sources[0].rows) == 2
    mixed = calls.compute(counted, RANGE)
    alone = calls.compute(counted, RANGE, months=False)
    assert [(f.key, f.rows) for f in mixed.figures] == [(f.key, f.rows) for f in alone.figures]
    summary = {row[0]: row[1] for row in mixed.figure("summary").rows}
    assert summary["Calls"] == "8"  # six in November, E1, E2; not E0
    assert summary["Calls with a delay notice"] == "2"
    grid = {row[0]: row[1:] for row in mixed.figure("volume").rows}
    assert grid["Mon"][8] == "2" and grid["Sun"][10] == "1" and grid["Wed"][7] == "1"
    assert grid["Tue"][23] == "1"


def test_a_refresh_keeps_the_month_current(counted):
    Call.objects.filter(incident_number="A6").delete()
    rollups.rebuild_days(counted, date(2026, 11, 17), date(2026, 11, 17))
    november = MonthRollup.objects.filter(agency=counted, month=date(2026, 11, 1))
    assert sum(r.calls for r in november) == 5
    summary = {row[0]: row[1] for row in calls.compute(counted, RANGE).figure("summary").rows}
    assert summary["Calls"] == "7"


def test_a_call_type_reads_days_only(counted):
    chosen = Filters(since=RANGE.since, until=RANGE.until, call_type="459R")
    assert len(calls.rollups(counted, chosen)) == 1
