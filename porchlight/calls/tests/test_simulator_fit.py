"""The simulator learns its parameters from a history of Call rows."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from porchlight.agencies.models import PriorityCode
from porchlight.calls.models import Call, CallType, Status
from porchlight.calls.simulator import Params, Simulator

LA = ZoneInfo("America/Los_Angeles")
DAY = datetime(2026, 3, 2, tzinfo=LA)


def history(agency, mix: dict[str, int], hour: int, dispatch_minutes: float) -> None:
    types = {t.code: t for t in CallType.objects.filter(agency=agency)}
    priority = PriorityCode.objects.get(agency=agency, code="3")
    rows = []
    n = 0
    for code, count in mix.items():
        for _ in range(count):
            n += 1
            received = DAY + timedelta(days=n % 10, hours=hour, minutes=n % 50)
            rows.append(
                Call(
                    agency=agency,
                    incident_number=f"H-{n}",
                    call_type=types[code],
                    priority=priority,
                    status=Status.CLEARED,
                    first_event_at=received,
                    last_event_at=received + timedelta(hours=1),
                    received_at=received,
                    dispatched_at=received + timedelta(minutes=dispatch_minutes),
                    onscene_at=received + timedelta(minutes=dispatch_minutes + 6),
                    cleared_at=received + timedelta(minutes=dispatch_minutes + 46),
                    disposition="RPT" if n % 2 else "ADV",
                    historical=True,
                )
            )
    Call.objects.bulk_create(rows)


@pytest.mark.django_db
def test_fit_recovers_type_mix_hourly_curve_and_delays(agency):
    history(agency, {"415": 300, "TC": 150, "459R": 50}, hour=17, dispatch_minutes=12)
    params = Params.fit(Call.objects.filter(agency=agency), agency.time_zone)

    assert params.type_weights == {"415": 300, "TC": 150, "459R": 50}
    assert params.type_priority == {"415": "3", "TC": "3", "459R": "3"}
    assert max(range(24), key=lambda h: params.hourly[h]) == 17
    # 500 calls over the ten days the history spans.
    assert params.calls_per_day == pytest.approx(500 / 9.03, rel=0.05)
    assert params.dispatch_samples[3] == [12.0] * 500
    assert set(params.on_scene_samples) == {40.0}
    assert params.disposition_weights == {"RPT": 250, "ADV": 250}

    events = Simulator(seed=2, start=DAY, params=params).run(24 * 30)
    first = [e for e in events if e["status"] == "received"]
    mix = Counter(e["call_type"] for e in first)
    assert set(mix) == {"415", "TC", "459R"}
    assert mix["415"] / len(first) == pytest.approx(0.6, abs=0.08)
    assert mix["TC"] / len(first) == pytest.approx(0.3, abs=0.08)
    hours = Counter(datetime.fromisoformat(e["event_time"]).hour for e in first)
    assert hours.most_common(1)[0][0] == 17
    assert {e["disposition"] for e in events if e["status"] == "cleared"} == {"RPT", "ADV"}


@pytest.mark.django_db
def test_fit_on_empty_history_keeps_defaults(agency):
    assert Params.fit(Call.objects.filter(agency=agency)) == Params()
