"""The shape of a CAD event, as the API documents it and intake validates it."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


class _In(BaseModel):
    # CADs send fields of their own; they are kept in the event payload, not refused.
    model_config = ConfigDict(extra="allow")


class Officer(_In):
    id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    name: Text = ""


class Unit(_In):
    id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
    officers: list[Officer] = Field(default_factory=list, max_length=20)


class Location(_In):
    address: Text = ""
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    beat: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] = ""
    district: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] = ""


class Caller(_In):
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] = ""
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)] = ""
    language: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, pattern=r"^([a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})?)?$"
        ),
    ] = ""
    do_not_contact: bool = False


class CadEvent(_In):
    """One CAD event. `status` is a Porchlight status or a CAD code the agency has mapped."""

    event_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    incident_number: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)
    ]
    ori: (
        Annotated[
            str,
            StringConstraints(
                strip_whitespace=True, to_upper=True, pattern=r"^[A-Z]{2}[A-Z0-9]{7}$"
            ),
        ]
        | None
    ) = Field(
        default=None, description="Routes the event to another agency this key dispatches for."
    )
    call_type: Code | None = None
    call_type_description: Text = ""
    priority: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16)] | None
    ) = None
    event_time: AwareDatetime = Field(description="When it happened in the CAD, with its offset.")
    status: Code = Field(
        description="received, pending, dispatched, enroute, onscene, cleared, cancelled, or a mapped CAD code."
    )
    units: list[Unit] = Field(default_factory=list, max_length=50)
    call_taker_id: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] = ""
    disposition: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] = ""
    location: Location | None = None
    caller: Caller | None = None
    juvenile: bool = False
    report_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] = ""


class CadEventBatch(BaseModel):
    events: list[CadEvent] = Field(min_length=1, max_length=1000)


class EventResult(BaseModel):
    index: int
    event_id: str | None
    result: Literal["applied", "duplicate", "conflict", "rejected"]
    reason: str
    incident_number: str | None = None
    warnings: list[str] = Field(default_factory=list)


class BatchResult(BaseModel):
    applied: int
    duplicate: int
    conflict: int
    rejected: int
    results: list[EventResult]


class Error(BaseModel):
    detail: str


EVENT_LIST = TypeAdapter(list[CadEvent])

EXAMPLE_BATCH = {
    "events": [
        {
            "event_id": "evt-000101",
            "incident_number": "26-012345",
            "call_type": "459R",
            "call_type_description": "Residential burglary report",
            "priority": "2",
            "event_time": "2026-11-22T14:14:03-08:00",
            "status": "received",
            "call_taker_id": "CT114",
            "location": {
                "address": "1501 Truxtun Ave",
                "lat": 35.3738,
                "lon": -119.0194,
                "beat": "B12",
                "district": "Central",
            },
            "caller": {
                "phone": "+16615550123",
                "email": "",
                "language": "es",
                "do_not_contact": False,
            },
            "juvenile": False,
        },
        {
            "event_id": "evt-000102",
            "incident_number": "26-012345",
            "event_time": "2026-11-22T14:31:40-08:00",
            "status": "dispatched",
            "units": [{"id": "2A14", "officers": [{"id": "P4471", "name": "Officer R. Vega"}]}],
        },
    ]
}
