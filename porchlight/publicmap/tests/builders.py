"""Calls and addresses for the public map's tests, made directly: the map reads calls, it does
not care how intake made them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from porchlight.agencies.models import Agency
from porchlight.calls.models import Call, CallType, Status
from porchlight.geo.addresses import build
from porchlight.geo.models import Address

# A block of Truxtun Ave in the demo city, west to east.
BLOCK_LAT = 35.3733
BLOCK_LON0 = -119.0200


def truxtun_block(agency: Agency, block: int = 1200) -> list[Address]:
    """Addresses block..block+98 along Truxtun Ave, ~1.1 m apart per number."""
    rows = []
    for n in range(block, block + 100, 4):
        address = build(
            agency, number=str(n), street="Truxtun Ave",
            lat=BLOCK_LAT, lon=round(BLOCK_LON0 + n * 0.00001, 6), city="Bakersfield", state="CA",
        )  # fmt: skip
        assert address is not None
        rows.append(address)
    return Address.objects.bulk_create(rows)


_seq = iter(range(1, 10**9))


def make_call(
    agency: Agency,
    code: str = "459R",
    *,
    ago: timedelta = timedelta(hours=2),
    now: datetime | None = None,
    address: str = "1234 Truxtun Ave",
    lat: float | None = BLOCK_LAT,
    lon: float | None = BLOCK_LON0 + 1234 * 0.00001,
    **fields: Any,
) -> Call:
    at = (now or timezone.now()) - ago
    call_type = CallType.objects.get_or_create(agency=agency, code=code)[0]
    return Call.objects.create(
        agency=agency,
        incident_number=f"26-{next(_seq):06d}",
        call_type=call_type,
        status=fields.pop("status", Status.CLEARED),
        first_event_at=at,
        last_event_at=at,
        received_at=at,
        address=address,
        lat=lat,
        lon=lon,
        **fields,
    )
