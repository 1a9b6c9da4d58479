"""The simulator's stream is internally consistent and shaped like a real day."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from porchlight.calls.models import STATUS_RANK, Status
from porchlight.calls.schemas import CadEvent
from porchlight.calls.simulator import CAD_STATUS_CODES, Simulator
from standins.builders import SENSITIVE_CALL_TYPES

LA = ZoneInfo("America/Los_Angeles")
MONDAY = datetime(2026, 11, 16, tzinfo=LA)


@pytest.fixture(scope="module")
def week() -> list[dict]:
    return Simulator(seed=7, start=MONDAY).run(24 * 7)


def by_incident(events: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for e in events:
        out.setdefault(e["incident_number"], []).append(e)
    return out


def test_every_event_validates_and_ids_are_unique(week):
    assert len(week) > 10_000
    for raw in week:
        CadEvent.model_validate(raw)
    assert len({e["event_id"] for e in week}) == len(week)


def test_stream_is_in_cad_time_order(week):
    times = [datetime.fromisoformat(e["event_time"]) for e in week]
    assert times == sorted(times)
    assert all(t.utcoffset() is not None for t in times)


def test_each_incident_starts_received_and_only_moves_forward(week):
    for number, events in by_incident(week).items():
        assert events[0]["status"] == "received", number
        assert events[0]["call_type"] and events[0]["priority"] and events[0]["location"]["beat"]
        ranks = [STATUS_RANK[Status(e["status"])] for e in events]
        assert ranks == sorted(ranks), number
        assert len(set(ranks)) == len(ranks), number
        assert events[-1]["status"] in ("cleared", "cancelled"), number


def test_cleared_calls_have_dispositions_and_reports_have_numbers(week):
    closing = [e for e in week if e["status"] == "cleared"]
    assert closing and all(e["disposition"] for e in closing)
    assert all(e["units"] for e in closing)
    dispositions = Counter(e["disposition"] for e in closing)
    assert {"RPT", "GOA", "UTL", "ADV", "CIT"} <= set(dispositions)
    for e in closing:
        assert bool(e.get("report_number")) == (e["disposition"] == "RPT")


def test_some_calls_are_cancelled_and_some_wait_pending(week):
    statuses = Counter(e["status"] for e in week)
    received = statuses["received"]
    assert 0 < statuses["cancelled"] < received * 0.1
    assert statuses["pending"] > 0


def test_mix_callers_and_places_look_real(week):
    first = [e for e in week if e["status"] == "received"]
    sensitive = sum(e["call_type"] in SENSITIVE_CALL_TYPES for e in first) / len(first)
    assert 0.01 < sensitive < 0.08
    callers = [e["caller"] for e in first if "caller" in e]
    assert all(c["phone"].startswith("661-555-01") for c in callers)
    spanish = sum(c["language"] == "es" for c in callers) / len(callers)
    assert 0.15 < spanish < 0.35
    for e in first:
        loc = e["location"]
        assert 35.2 < loc["lat"] < 35.5 and -119.3 < loc["lon"] < -118.8
        assert loc["address"].split(" ", 1)[0].isdigit()
    dispatched = [e for e in week if e["status"] == "dispatched"]
    officers = dispatched[0]["units"][0]["officers"]
    assert (
        officers
        and officers[0]["id"].startswith("P")
        and officers[0]["name"].startswith("Officer ")
    )


def test_more_calls_at_five_pm_than_four_am(week):
    hours = Counter(
        datetime.fromisoformat(e["event_time"]).astimezone(LA).hour
        for e in week
        if e["status"] == "received"
    )
    assert hours[17] > 2 * hours[4]


def test_same_seed_same_stream_other_seed_other_stream():
    a = Simulator(seed=3, start=MONDAY).run(6)
    b = Simulator(seed=3, start=MONDAY).run(6)
    c = Simulator(seed=4, start=MONDAY).run(6)
    assert a == b
    assert a != c


def test_cad_status_codes_replace_porchlight_words():
    events = Simulator(seed=3, start=MONDAY, status_codes=CAD_STATUS_CODES).run(6)
    statuses = {e["status"] for e in events}
    assert {"received", "DISP", "ENRT", "ARV", "CLR"} <= statuses
    assert "dispatched" not in statuses


def test_live_yields_events_as_the_clock_reaches_them():
    now = [1_000_000.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    sim = Simulator(seed=5, start=MONDAY, call_at_start=True)
    expected = Simulator(seed=5, start=MONDAY, call_at_start=True).run(2)
    live = list(sim.live(speed=60, hours=2, clock=lambda: now[0], sleep=sleep))
    assert [e["event_id"] for e in live] == [e["event_id"] for e in expected]
    # Two simulated hours of arrivals at 60x take about two minutes of (fake) wall time.
    assert 100 < now[0] - 1_000_000.0 < 60 * 30
    assert slept
    # Event times are restamped to the wall clock, in order.
    stamps = [datetime.fromisoformat(e["event_time"]) for e in live]
    assert stamps == sorted(stamps)
    assert stamps[0].timestamp() == pytest.approx(1_000_000.0, abs=1)
