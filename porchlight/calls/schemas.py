"""The shape of a CAD event, as the API documents it and intake validates it."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from django.conf import settings
from django.utils import timezone
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError

from porchlight.calls import reasons

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
# Call types are kept whole: real ones run to 40-100 characters.
CallTypeCode = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]


_window: tuple[tuple[str, float, int], tuple[datetime, datetime]] | None = None


def plausible_window() -> tuple[datetime, datetime]:
    """The CAD times intake and imports accept: from settings.CAD_TIME_EARLIEST to
    settings.CAD_TIME_FUTURE_HOURS ahead of now. Anything outside is a broken clock or a
    misread column (a time-only column read as the year 1900), never a real call.

    Worked out once a second, not per event (it showed at 2-3% of a batch in the profile)."""
    global _window
    key = (settings.CAD_TIME_EARLIEST, settings.CAD_TIME_FUTURE_HOURS, int(time.time()))
    if _window is None or _window[0] != key:
        earliest = datetime.fromisoformat(settings.CAD_TIME_EARLIEST)
        if earliest.tzinfo is None:
            earliest = earliest.replace(tzinfo=UTC)
        # A second's rounding either way is nothing against a window of a day.
        latest = timezone.now() + timedelta(hours=settings.CAD_TIME_FUTURE_HOURS)
        _window = (key, (earliest, latest))
    return _window[1]


def implausible(
    at: datetime,
    field: str = "event_time",
    window: tuple[datetime, datetime] | None = None,
) -> tuple[str, str] | None:
    """(code, reason) when `at` is outside the plausible window (`window`, else the current
    one), else None.

    Compared, never converted: converting 9999-12-31T23:59:59-12:00 to UTC overflows."""
    earliest, latest = window or plausible_window()
    if at < earliest:
        code = "time_too_early"
        return code, reasons.text(
            code, field=field, value=at.isoformat(), earliest=earliest.date().isoformat()
        )
    if at > latest:
        code = "time_too_late"
        return code, reasons.text(
            code, field=field, value=at.isoformat(), hours=settings.CAD_TIME_FUTURE_HOURS
        )
    return None


def _time_text(value: Any) -> Any:
    # pydantic reads a number as a Unix time; a CAD that sends one has a bug worth hearing of.
    if type(value) is str:  # the usual case, first and cheapest
        return value
    if isinstance(value, bool | int | float):
        kind = "boolean" if isinstance(value, bool) else "number"
        message = reasons.text("time_not_text", kind=kind).split(": ", 1)[1]
        raise PydanticCustomError("time_not_text", message)
    return value


# The key of validation's context holding the plausible window a batch worked out once
# (`window_context`): read per event through `settings` (a LazySettings attribute read runs
# Python code each time) it was a tenth of a history import's Python CPU.
_WINDOW = "plausible_window"


def window_context() -> dict[str, Any]:
    """Validation context for a batch (`validate_python(..., context=...)`): the plausible
    window read once for all its events instead of once per event."""
    return {_WINDOW: plausible_window()}


def _plausible(at: datetime, info: ValidationInfo) -> datetime:
    context = info.context
    earliest, latest = context[_WINDOW] if context else plausible_window()
    if earliest <= at <= latest:  # the usual case: no message to build
        return at
    found = implausible(at, window=(earliest, latest))
    if found is not None:
        # The message is the whole reason already: strip the "event_time: " the loc repeats.
        raise PydanticCustomError(found[0], found[1].split(": ", 1)[1])
    return at


EventTime = Annotated[AwareDatetime, BeforeValidator(_time_text), AfterValidator(_plausible)]


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
    # Subtags of 2-4 characters ("es", "en-US", "es-419", "zh-Hant"): the column holds 8.
    language: Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, pattern=r"^([a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,4})?)?$"
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
    call_type: CallTypeCode | None = None
    call_type_description: Text = ""
    priority: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16)] | None
    ) = None
    event_time: EventTime = Field(
        description=(
            "When it happened in the CAD: ISO 8601 text with its offset. Numbers are refused, and "
            "so is a time before 1990 or more than a day ahead (the plausible window, a setting)."
        )
    )
    status: Code = Field(
        description="received, pending, dispatched, enroute, onscene, cleared, cancelled, or a mapped CAD code."
    )
    units: list[Unit] = Field(default_factory=list, max_length=50)
    call_taker_id: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] = ""
    disposition: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    location: Location | None = None
    caller: Caller | None = None
    juvenile: bool = False
    cleared_time_unknown: bool = Field(
        default=False,
        description=(
            "On a cleared or cancelled event: its time is not the CAD's clearance time (a history "
            "import closing a call at the last time its row gives). The call is marked, and "
            "dashboards leave it out of durations."
        ),
    )
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

# A NENA EIDO document as Porchlight reads it (docs/integrators.md, "EIDO"): the fields taken,
# in the shape of NENA's own samples (NENA911/EIDO-JSON, Samples/).
EXAMPLE_EIDO = {
    "$id": "urn:emergency:uid:incidentid:26-012345:cad.bakersfield.example",
    "EIDOVersion": "1.0",
    "LastUpdateTimeStamp": "2026-11-22T14:31:40-08:00",
    "incidentTrackingIdentifier": "urn:emergency:uid:incidentid:26-012345",
    "reasonForIssueRegistryText": "CallStatusChanged",
    "incidentComponent": [
        {
            "incidentTypeInternalCode": "459R",
            "incidentTypeInternalText": "Residential burglary report",
            "incidentStatusInternalText": ["DISP"],
            "incidentPriorityInternalText": "2",
            "incidentCommonPriorityNumber": 2,
        }
    ],
    "personComponent": [
        {
            "$id": "person-1",
            "personIncidentRoleRegistryText": ["Caller"],
            "callBackReference": {"$ref": "callback-1"},
        }
    ],
    "callbackComponent": [
        {
            "$id": "callback-1",
            "callBackInformationUri": ["sip:6615550123@carrier.example", "tel:+16615550123"],
        }
    ],
    "locationComponent": [
        {
            "locationTypeDescriptionRegistryText": "Incident",
            "locationByValue": (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<presence xmlns="urn:ietf:params:xml:ns:pidf" '
                'xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10" entity="pres:cad@example">'
                '<tuple id="t1"><status><gp:geopriv><gp:location-info>'
                '<civicAddress xmlns="urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr">'
                "<country>US</country><A1>CA</A1><A3>Bakersfield</A3><HNO>1501</HNO>"
                "<RD>Truxtun</RD><STS>Ave</STS></civicAddress>"
                "</gp:location-info></gp:geopriv></status></tuple></presence>"
            ),
        }
    ],
}
