"""Building address rows the way the geocoder will look for them (import, demo, tests)."""

from __future__ import annotations

import re
from functools import lru_cache

from porchlight.agencies.models import Agency
from porchlight.geo import h3index, normalize
from porchlight.geo.models import Address


@lru_cache(maxsize=20_000)
def _street(street: str) -> tuple[str, str]:
    """The street's normalized key and bare name. Parsed as "1 <street>" so it splits into
    direction, name and suffix exactly as a typed address does; cached, since an import
    repeats each street thousands of times and the parse is most of a row's cost."""
    parts = normalize.parse(f"1 {street}")
    if parts is not None:
        return parts.street, parts.name
    name = normalize.name(street)
    return name, name


def build(
    agency: Agency,
    *,
    number: str,
    street: str,
    lat: float,
    lon: float,
    unit: str = "",
    city: str = "",
    state: str = "",
    postcode: str = "",
) -> Address | None:
    """An unsaved Address, or None when the row has no usable number, street or point."""
    number = normalize.number(str(number))
    if not number or not street.strip():
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    key, street_name = _street(street.strip())
    if not key or not street_name:  # punctuation only: nothing a person could type to find it
        return None
    digits = re.match(r"\d{1,9}", number)
    label = f"{number} {street.strip()}" + (f" #{unit.strip()}" if unit.strip() else "")
    return Address(
        agency=agency,
        number=number[:20],
        number_int=int(digits.group()) if digits else None,
        street=key[:120],
        street_name=street_name[:120],
        unit=normalize.number(unit)[:20],
        city=city.strip()[:80],
        state=state.strip().upper()[:2],
        postcode=postcode.strip()[:10],
        label=label[:200],
        lat=lat,
        lon=lon,
        h3=h3index.cell(lat, lon),
    )
