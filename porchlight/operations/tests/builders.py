"""Calls and cases at chosen times, through the real intake and case paths."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import time_machine

from porchlight.calls.intake import Feed, ingest
from porchlight.calls.models import Call
from standins.builders import cad_event

_n = [0]


def feed(agency: Any, source: str = "cad") -> Feed:
    return Feed(agency=agency, source=source, covered={agency.ori: agency})


def post(agency: Any, source: str = "cad", **fields: Any) -> None:
    """One event now (whatever time the test has travelled to)."""
    from django.utils import timezone

    _n[0] += 1
    event = cad_event(_n[0], at=timezone.now().isoformat(), **fields)
    event["event_id"] = f"{source}-{_n[0]}"
    outcomes, _applied = ingest(feed(agency, source), [event])
    assert outcomes[0].result in ("applied", "duplicate"), outcomes[0]


def cleared_call(
    agency: Any,
    incident: str,
    at: datetime,
    *,
    phone: str = "",
    email: str = "",
    name: str = "",
    address: str = "1501 Truxtun Ave",
) -> Call:
    """A call received and cleared at `at`, with the caller's details as a CAD sends them."""
    caller: dict[str, Any] = {"phone": phone, "email": email, "language": "es"}
    if name:
        caller["name"] = name
    location = {"address": address, "lat": 35.373812, "lon": -119.019433, "beat": "B12", "district": "Central"}  # fmt: skip
    with time_machine.travel(at, tick=False):
        post(agency, incident=incident, caller=caller, location=location)
        post(agency, incident=incident, status="cleared", disposition="Report taken")
    return Call.objects.get(agency=agency, incident_number=incident)
