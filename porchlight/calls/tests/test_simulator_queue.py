"""Dispatch delays grow with the queue: when units are busy, calls wait longer."""

from __future__ import annotations

import statistics
from datetime import datetime
from zoneinfo import ZoneInfo

from porchlight.calls.simulator import Params, Simulator

START = datetime(2026, 11, 16, tzinfo=ZoneInfo("America/Los_Angeles"))


def dispatch_delays(events: list[dict]) -> list[float]:
    received: dict[str, datetime] = {}
    delays = []
    for e in events:
        at = datetime.fromisoformat(e["event_time"])
        if e["status"] == "received":
            received[e["incident_number"]] = at
        elif e["status"] == "dispatched":
            delays.append((at - received[e["incident_number"]]).total_seconds() / 60)
    return delays


def test_busier_city_waits_longer_for_the_same_units():
    calm = Simulator(seed=11, start=START, params=Params(calls_per_day=200)).run(48)
    busy = Simulator(seed=11, start=START, params=Params(calls_per_day=900)).run(48)
    assert statistics.median(dispatch_delays(busy)) > 1.5 * statistics.median(dispatch_delays(calm))


def test_fewer_units_wait_longer_for_the_same_calls():
    few = Simulator(seed=11, start=START, params=Params(units_per_beat=1)).run(48)
    many = Simulator(seed=11, start=START, params=Params(units_per_beat=4)).run(48)
    assert statistics.mean(dispatch_delays(few)) > 2 * statistics.mean(dispatch_delays(many))


def test_evening_peak_waits_longer_than_small_hours():
    events = Simulator(seed=12, start=START).run(24 * 7)
    received: dict[str, datetime] = {}
    by_hour: dict[int, list[float]] = {}
    for e in events:
        at = datetime.fromisoformat(e["event_time"])
        if e["status"] == "received":
            received[e["incident_number"]] = at
        elif e["status"] == "dispatched":
            start = received[e["incident_number"]]
            by_hour.setdefault(start.hour, []).append((at - start).total_seconds() / 60)
    evening = by_hour[17] + by_hour[18] + by_hour[19]
    small_hours = by_hour[3] + by_hour[4] + by_hour[5]
    assert statistics.mean(evening) > 1.5 * statistics.mean(small_hours)
