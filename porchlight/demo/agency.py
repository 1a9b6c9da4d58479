"""The demo agency's codes: the call types, priorities and sensitive types a new demo or test
agency starts with, and `make_agency`, which creates one as the admin would."""

from __future__ import annotations

from typing import Any

from porchlight.agencies.models import Agency, PriorityCode
from porchlight.calls.models import CallType
from porchlight.notify import rules

# Sensitive by default: no texts, hidden from maps.
SENSITIVE_CALL_TYPES = {
    "273.5": "Domestic violence",
    "261": "Sexual assault",
    "187": "Homicide",
    "5150S": "Suicide / attempt",
    "273A": "Child abuse",
    "245IP": "Assault with a deadly weapon in progress",
}
CALL_TYPES = {
    "459R": "Residential burglary report",
    "459V": "Vehicle burglary report",
    "10851": "Stolen vehicle",
    "415": "Disturbance",
    "415N": "Loud noise / party",
    "TC": "Traffic collision, no injuries",
    "TCI": "Traffic collision with injuries",
    "SUSP": "Suspicious person or vehicle",
    "488": "Petty theft",
    "WELF": "Welfare check",
    "594": "Vandalism",
    "ALARM": "Alarm activation",
    "PARK": "Parking complaint",
    "911H": "911 hang-up",
}
PRIORITIES = [
    ("1", 1, "Emergency"),
    ("2", 2, "Urgent"),
    ("3", 3, "Routine"),
    ("4", 4, "Report only"),
]


_NAME = "Bakersfield Police Department"


def make_agency(
    slug: str = "bakersfield",
    name: str = _NAME,
    ori: str = "CA0150200",
    **extra: Any,
) -> Agency:
    agency = Agency.objects.create(
        slug=slug,
        name=name,
        ori=ori,
        time_zone=extra.pop("time_zone", "America/Los_Angeles"),
        non_emergency_number=extra.pop("non_emergency_number", "661-327-7111"),
        # The short name texts start with (Agency.sms_name): the default agency's is its own.
        sms_name=extra.pop("sms_name", "Bakersfield PD" if name == _NAME else ""),
        **extra,
    )
    PriorityCode.objects.bulk_create(
        PriorityCode(agency=agency, code=c, rank=r, label=lbl) for c, r, lbl in PRIORITIES
    )
    CallType.objects.bulk_create(
        [CallType(agency=agency, code=c, description=d) for c, d in CALL_TYPES.items()]
        + [
            CallType(agency=agency, code=c, description=d, sensitive=True)
            for c, d in SENSITIVE_CALL_TYPES.items()
        ]
    )
    # As the admin does for a new agency: the default message rules and templates.
    rules.install_defaults(agency)
    return agency
