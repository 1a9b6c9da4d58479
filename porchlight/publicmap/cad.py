"""The CAD producer: calls for service, shown as calls, not as crimes.

A call is published once it began longer ago than the agency's delay. Left out: cancelled
calls (no one was sent; often a mistaken call), juvenile calls, calls still waiting for staff
to map their type or priority (treated as sensitive until then, as intake does), and calls
of a sensitive type (via the type's mapping row, which mirrors CallType.sensitive).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from porchlight.agencies.models import Agency
from porchlight.calls.models import Call, CallType, Status
from porchlight.publicmap.models import Kind
from porchlight.publicmap.publish import Candidate, Code, register

SOURCE = "cad"


def due(agency: Agency, since: datetime, until: datetime) -> Iterator[Candidate]:
    calls = (
        Call.objects.filter(
            agency=agency, first_event_at__gt=since, first_event_at__lte=until
        )
        .exclude(status=Status.CANCELLED)
        .exclude(call_type=None)
        .values_list(
            "pk", "call_type__code", "first_event_at", "address", "lat", "lon",
            "juvenile", "needs_mapping",
        )
        .order_by("first_event_at")
    )  # fmt: skip
    for pk, code, at, address, lat, lon, juvenile, needs_mapping in calls.iterator(2000):
        yield Candidate(
            key=str(pk),
            code=code,
            occurred_at=at,
            address=address,
            lat=lat,
            lon=lon,
            withheld=juvenile or needs_mapping,
            call_id=pk,
        )


def codes(agency: Agency) -> Iterator[Code]:
    for code, description, sensitive, needs_mapping in CallType.objects.filter(
        agency=agency
    ).values_list("code", "description", "sensitive", "needs_mapping"):
        # An unreviewed type counts as sensitive until staff map it (calls/unmapped.py).
        yield Code(code, description, sensitive or needs_mapping)


register(SOURCE, due=due, codes=codes, kind=Kind.CALL, preference=1)
