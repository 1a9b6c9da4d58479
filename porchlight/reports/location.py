"""Where a report happened: a pin (lat/lon), or a typed address geocoded through `geo`.

A pin wins over the typed words (the person put it there on purpose); the words are still kept
as the case's address. What the public sees is the hundred block, never the address.
"""

from __future__ import annotations

from dataclasses import dataclass

from porchlight.agencies.models import Agency
from porchlight.geo import blocks, geocode, h3index, normalize


@dataclass(frozen=True)
class Place:
    address: str
    lat: float | None
    lon: float | None
    h3: int | None


class NotFound(ValueError):
    """The typed address is not in the agency's table (nor the outside geocoder's)."""


def valid_point(lat: float, lon: float) -> bool:
    return -90 <= lat <= 90 and -180 <= lon <= 180 and not (lat == 0 and lon == 0)


def resolve(
    agency: Agency, address: str, lat: float | None, lon: float | None, *, need_point: bool
) -> Place | None:
    """The place, or None when nothing was given. With `need_point`, an address that does not
    geocode raises NotFound (the web form then asks for the pin); without, it is kept as typed
    (an Open311 app cannot be asked to place a pin)."""
    address = address.strip()[:300]
    if lat is not None and lon is not None:
        if not valid_point(lat, lon):
            raise ValueError("not a point on Earth")
        return Place(address, lat, lon, h3index.cell(lat, lon))
    if not address:
        return None
    match = geocode.geocode(agency, address)
    if match is None:
        if need_point:
            raise NotFound(address)
        return Place(address, None, None, None)
    return Place(match.label if match.exact else address, match.lat, match.lon, match.h3)


def public_address(address: str) -> str:
    """ "1234 N Main St" → "1200 block of N MAIN ST"; "" when it cannot be placed in a block
    (an intersection, a landmark), rather than show the words a resident typed."""
    parts = normalize.parse(address) if address else None
    if parts is None:
        return ""
    return blocks.hundred_block(parts.number, parts.street)
