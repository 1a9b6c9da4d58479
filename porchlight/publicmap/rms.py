"""The RMS producer: offenses from cases the RMS sent, shown as reported crimes.

Preferred over the CAD: when a case is linked to a CAD incident (cases.CaseIncident), its
offense replaces the call's entry on the map, and the call is not published again.

Left out: cases with no offense code yet, cases flagged domestic-violence related, and NIBRS
offenses that are sensitive by their nature (homicide, kidnapping, sex offenses, human
trafficking, intimidation and family offenses), besides the agency's sensitive terms, which
publish.py applies to every code's description.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.db.models import Q

from porchlight.agencies.models import Agency
from porchlight.calls.models import Call
from porchlight.cases.models import Case, CaseIncident
from porchlight.publicmap.models import Kind
from porchlight.publicmap.publish import Candidate, Code, register

SOURCE = "rms"
# The cases the RMS itself sent (cases.Case.source); online and Open311 reports are residents'
# own words, not an officer's finding, and are not published as crimes.
CASE_SOURCE = "rms"

# NIBRS offense codes never published, whatever a mapping says.
SENSITIVE_NIBRS = frozenset(
    {
        "09A", "09B", "09C",  # homicide
        "100",  # kidnapping / abduction
        "11A", "11B", "11C", "11D", "36A", "36B",  # sex offenses
        "64A", "64B",  # human trafficking
        "13C",  # intimidation (stalking, threats)
        "90F",  # family offenses, nonviolent
        "370",  # pornography / obscene material
    }
)  # fmt: skip
# NIBRS offense code → the public category it starts with (staff can change it).
NIBRS_CATEGORIES = {
    "220": "burglary",
    "120": "robbery",
    "13A": "assault",
    "13B": "assault",
    "240": "vehicle",
    "23F": "vehicle",
    "23G": "vehicle",
    **{code: "theft" for code in ("23A", "23B", "23C", "23D", "23E", "23H")},
    "290": "vandalism",
    "90C": "disturbance",
    "90D": "traffic",
}


def due(agency: Agency, since: datetime, until: datetime) -> Iterator[Candidate]:
    # When the offense occurred; the case's creation when the RMS gave no time.
    window = Q(occurred_at__gt=since, occurred_at__lte=until) | Q(
        occurred_at=None, created__gt=since, created__lte=until
    )
    cases = list(
        Case.objects.filter(window, agency=agency, source=CASE_SOURCE)
        .exclude(offense_code="")
        .values_list(
            "pk", "offense_code", "occurred_at", "created", "address", "lat", "lon",
            "domestic_violence",
        )
    )  # fmt: skip
    calls = _linked_calls(agency, [c[0] for c in cases])
    for pk, code, occurred, created, address, lat, lon, dv in cases:
        yield Candidate(
            key=str(pk),
            code=code,
            occurred_at=occurred or created,
            address=address,
            lat=lat,
            lon=lon,
            withheld=dv,
            call_id=calls.get(pk),
        )


def _linked_calls(agency: Agency, case_ids: list[int]) -> dict[int, int]:
    """Case id → the id of a CAD call linked to it (the first, when several are)."""
    links = dict(
        CaseIncident.objects.filter(case_id__in=case_ids)
        .order_by("-pk")
        .values_list("incident_number", "case_id")
    )
    calls = Call.objects.filter(agency=agency, incident_number__in=list(links)).values_list(
        "incident_number", "pk"
    )
    return {links[number]: pk for number, pk in calls}


def codes(agency: Agency) -> Iterator[Code]:
    seen = (
        Case.objects.filter(agency=agency, source=CASE_SOURCE)
        .exclude(offense_code="")
        .values_list("offense_code", "offense")
        .distinct()
    )
    described: dict[str, str] = {}
    for code, offense in seen:
        described.setdefault(code, offense)
    for code, offense in described.items():
        yield Code(
            code,
            offense,
            code.upper() in SENSITIVE_NIBRS,
            NIBRS_CATEGORIES.get(code.upper(), ""),
        )


register(SOURCE, due=due, codes=codes, kind=Kind.OFFENSE, preference=2)
