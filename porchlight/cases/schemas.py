"""The shape of an RMS case event, as the API documents it and RMS intake validates it.

Times follow CAD intake's rules (calls.schemas.EventTime: ISO 8601 text with its offset, within
the plausible window). An RMS event names its case by `case_number` and never carries a CAD
`incident_number` of its own (linked calls go in `incident_numbers`): that is how a held event
is known to be a case event when it is replayed from the shared quarantine.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter

from porchlight.calls.schemas import EventTime

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)]
Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Number = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
Language = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^([a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,4})?)?$"),
]


class _In(BaseModel):
    # An RMS sends fields of its own; they are kept in the event log, not refused.
    model_config = ConfigDict(extra="allow")


class Offense(_In):
    code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=8)] = Field(
        default="", description="NIBRS offense code, e.g. 23F, 13A."
    )
    description: Text = ""


class Detective(_In):
    name: Short = Field(min_length=1)
    title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)] = ""
    unit: Short = ""
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] = ""
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)] = ""


class VictimIn(_In):
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] = ""
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)] = ""
    language: Language = ""
    opt_in: bool = Field(
        default=True, description="False: the victim asked not to get updates (kept, not sent)."
    )


class Report(_In):
    approved_at: EventTime | None = None
    available_on: date | None = None
    fee: Decimal | None = Field(default=None, ge=0, le=Decimal("99999.99"), decimal_places=2)
    how: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] = ""


class RmsEventIn(_In):
    """One RMS case event. `status` is one of the agency's RMS status codes; it must be mapped
    to a NIBRS term (Cases › RMS status codes) or the event is quarantined."""

    event_id: Id
    case_number: Number
    ori: (
        Annotated[
            str,
            StringConstraints(
                strip_whitespace=True, to_upper=True, pattern=r"^[A-Z]{2}[A-Z0-9]{7}$"
            ),
        ]
        | None
    ) = Field(default=None, description="Routes the event to another agency this key covers.")
    event_time: EventTime = Field(description="When it happened in the RMS, ISO 8601 with offset.")
    status: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)] = Field(
        default="", description="The RMS status code; empty when the event changes no status."
    )
    incident_numbers: list[Number] = Field(default_factory=list, max_length=20)
    offense: Offense | None = None
    domestic_violence: bool | None = None
    detective: Detective | None = None
    victims: list[VictimIn] = Field(default_factory=list, max_length=20)
    report: Report | None = None


class RmsEventBatch(BaseModel):
    events: list[RmsEventIn] = Field(min_length=1, max_length=1000)


def is_case_event(raw: Any) -> bool:
    """Whether a held event is an RMS case event (not a CAD event)."""
    return isinstance(raw, dict) and "case_number" in raw and "incident_number" not in raw


EVENT = TypeAdapter(RmsEventIn)

EXAMPLE_BATCH = {
    "events": [
        {
            "event_id": "rms-2026-118842",
            "case_number": "BPD26-004321",
            "event_time": "2026-11-23T09:12:00-08:00",
            "status": "ASG",
            "incident_numbers": ["26-001234"],
            "offense": {"code": "23F", "description": "Theft from motor vehicle"},
            "domestic_violence": False,
            "detective": {
                "name": "Maria Lopez",
                "title": "Det.",
                "unit": "Property Crimes",
                "phone": "661-555-0142",
                "email": "mlopez@bakersfieldpd.us",
            },
            "victims": [{"phone": "+16615550199", "language": "es", "opt_in": True}],
            "report": {
                "approved_at": "2026-11-23T08:40:00-08:00",
                "available_on": "2026-11-30",
                "fee": "15.00",
                "how": "Records counter, 1601 Truxtun Ave, Mon-Fri 8-5",
            },
        }
    ]
}
