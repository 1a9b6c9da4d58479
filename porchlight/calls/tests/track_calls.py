"""Calls for the track page tests, applied through intake like a CAD would send them."""

from __future__ import annotations

from typing import Any

from porchlight.calls.intake import Feed, ingest
from porchlight.calls.models import Call
from standins.builders import cad_event

INCIDENT = "26-012345"
# What a CAD sends that must never reach the public page.
PHONE = "661-555-0199"
EMAIL = "maria.lopez@example.org"
ADDRESS = "1501 Truxtun Ave"
OFFICER = "Ofc. Daniel Reyes"
OFFICER_ID = "P4471"
UNIT = "2A31"
CALL_TAKER = "CT114"


def received(n: int = 1, **extra: Any) -> dict[str, Any]:
    """The first event of a call, with everything personal a CAD sends."""
    fields: dict[str, Any] = {
        "incident": INCIDENT,
        "call_taker_id": CALL_TAKER,
        "location": {"address": ADDRESS, "lat": 35.3738, "lon": -119.0194, "beat": "B12"},
        "caller": {"phone": PHONE, "email": EMAIL, "language": "en"},
    }
    fields.update(extra)
    return cad_event(n, **fields)


def later(n: int, status: str, at: str, **extra: Any) -> dict[str, Any]:
    unit = {"id": UNIT, "officers": [{"id": OFFICER_ID, "name": OFFICER}]}
    fields: dict[str, Any] = {"incident": INCIDENT, "units": [unit]}
    fields.update(extra)
    return cad_event(n, status=status, at=at, **fields)


def apply(agency: Any, *events: dict[str, Any], historical: bool = False) -> Call:
    outcomes, _ = ingest(
        Feed(agency=agency, source="cad", covered={agency.ori: agency}, historical=historical),
        list(events),
    )
    assert all(o.result == "applied" for o in outcomes), outcomes
    return Call.objects.select_related("agency", "call_type").get(
        agency=agency, incident_number=events[0]["incident_number"]
    )


def whole_call(agency: Any, **first: Any) -> Call:
    """Received 2:14 PM, dispatched, en route, on scene, cleared with a report."""
    return apply(
        agency,
        received(1, **first),
        later(2, "dispatched", "2026-11-22T14:20:00-08:00"),
        later(3, "enroute", "2026-11-22T14:22:00-08:00"),
        later(4, "onscene", "2026-11-22T14:31:00-08:00"),
        later(
            5, "cleared", "2026-11-22T15:05:00-08:00", disposition="RPT", report_number="R26-004411"
        ),
    )


def token_of(url: str) -> str:
    return url.rsplit("/t/", 1)[1]


def path_of(url: str) -> str:
    return "/t/" + token_of(url)
