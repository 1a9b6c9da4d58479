"""The demo city's address table: generated from the simulator's streets and districts, so
the addresses the CAD simulator sends, and the ones a visitor types, geocode.

Each district's streets alternate direction: the first runs west to east across the
district's box, the next south to north, and so on. House numbers run along the street from
100 to 5,998 (even on one side, odd on the other, a few metres apart), which matches the
simulator's "<block> <street>" addresses. The result is illustrative, not Bakersfield's real
address points.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import transaction

from porchlight.agencies.models import Agency
from porchlight.calls.simulator import DISTRICTS
from porchlight.geo.addresses import build
from porchlight.geo.models import Address

FIRST, LAST, STEP = 100, 5998, 24
CITY, STATE = "Bakersfield", "CA"
_SIDE = 0.00012  # degrees between the two sides of a street (~13 m)


def rows(agency: Agency) -> Iterator[Address]:
    for district, spec in DISTRICTS.items():
        lat0, lat1, lon0, lon1 = spec["box"]
        for i, street in enumerate(spec["streets"]):
            across = (i + 1) / (len(spec["streets"]) + 1)  # where the street crosses the box
            for n in range(FIRST, LAST + 1, STEP):
                along = (n - FIRST) / (LAST - FIRST)
                for number, side in ((n, 1), (n + 1, -1)):
                    if i % 2 == 0:  # west to east
                        lat = lat0 + across * (lat1 - lat0) + side * _SIDE
                        lon = lon0 + along * (lon1 - lon0)
                    else:  # south to north
                        lat = lat0 + along * (lat1 - lat0)
                        lon = lon0 + across * (lon1 - lon0) + side * _SIDE
                    address = build(
                        agency,
                        number=str(number),
                        street=street,
                        lat=round(lat, 6),
                        lon=round(lon, 6),
                        city=CITY,
                        state=STATE,
                        postcode="93301" if district == "Central" else "93309",
                    )
                    if address is not None:
                        yield address


def seed(agency: Agency) -> int:
    """Load the generated table once; a later run finds it and adds nothing."""
    if Address.objects.filter(agency=agency).exists():
        return 0
    batch = list(rows(agency))
    with transaction.atomic():
        Address.objects.bulk_create(batch, batch_size=1000)
    return len(batch)
