"""The simulator's stream goes through the real API and builds the calls it describes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from porchlight.agencies.models import StatusCode
from porchlight.calls.models import Call, Event, Quarantine
from porchlight.calls.simulator import CAD_STATUS_CODES, Simulator

URL = "/api/v1/agencies/bakersfield/cad/events"
START = datetime(2026, 11, 20, 12, tzinfo=ZoneInfo("America/Los_Angeles"))


@pytest.mark.django_db
def test_stream_through_api_creates_the_calls(client, agency, api_key):
    _, raw = api_key
    for code, status in CAD_STATUS_CODES.items():
        StatusCode.objects.create(agency=agency, code=status, status=code)
    events = Simulator(seed=9, start=START, status_codes=CAD_STATUS_CODES).run(6)
    for i in range(0, len(events), 100):
        r = client.post(
            URL,
            {"events": events[i : i + 100]},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        assert r.status_code == 200
        assert r.json()["applied"] == len(events[i : i + 100]), r.json()

    final: dict[str, str] = {}
    for e in events:
        final[e["incident_number"]] = e["status"]
    back = {v: k for k, v in CAD_STATUS_CODES.items()}
    calls = {c.incident_number: c for c in Call.objects.filter(agency=agency)}
    assert set(calls) == set(final)
    for number, status in final.items():
        assert calls[number].status == back.get(status, status)
    assert Event.objects.filter(agency=agency).count() == len(events)
    assert not Quarantine.objects.exists()
    cleared = [c for c in calls.values() if c.status == "cleared"]
    assert all(c.disposition and c.units and c.onscene_at for c in cleared)
    assert any(c.caller_phone_id for c in calls.values())


@pytest.mark.django_db(transaction=True)
def test_simulate_command_posts_over_http(live_server, agency, api_key):
    _, raw = api_key
    call_command(
        "simulate",
        url=live_server.url,
        agency="bakersfield",
        key=raw,
        hours=3,
        batch=50,
        seed=4,
        start=START.isoformat(),
    )
    events = Simulator(seed=4, start=START).run(3)
    assert Call.objects.filter(agency=agency).count() == len({e["incident_number"] for e in events})
    assert Event.objects.filter(agency=agency).count() == len(events)


@pytest.mark.django_db(transaction=True)
def test_simulate_command_stops_on_a_refused_key(live_server, agency):
    with pytest.raises(CommandError, match="HTTP 401"):
        call_command(
            "simulate",
            url=live_server.url,
            agency="bakersfield",
            key="pl_wrong",
            hours=1,
            start=START.isoformat(),
        )
