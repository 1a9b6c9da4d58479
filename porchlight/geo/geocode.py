"""Geocoding: a typed address → a point, from the agency's own address table first, and from
an optional Nominatim or Pelias server when the table has no match.

`geocode(agency, text)` returns a `Match` or None. On None, show `NOT_FOUND` and let the person
place a pin on the map instead: an address the table lacks is normal (new builds, typos), not an
error.

Settings (all optional):
  PORCHLIGHT_GEOCODER        "nominatim" or "pelias"; unset: the address table only
  PORCHLIGHT_GEOCODER_URL    the server's base URL, e.g. https://nominatim.example.org
  PORCHLIGHT_GEOCODER_TIMEOUT seconds (default 5): a slow geocoder must not hang a form
"""

from __future__ import annotations

import json
import logging
import re
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from porchlight.agencies.models import Agency
from porchlight.geo import h3index, normalize
from porchlight.geo.models import Address

log = logging.getLogger(__name__)

NOT_FOUND = _(
    "We could not find that address. Check the number and the street name, or place the pin "
    "on the map."
)
# Nearest house number on the same street, when the typed one is not in the table.
NEAR_NUMBERS = 100


@dataclass(frozen=True)
class Match:
    lat: float
    lon: float
    label: str
    h3: int
    # True: this address's own point. False: an approximation (a neighbouring number on the
    # same street, or an outside geocoder's interpolated answer).
    exact: bool


def geocode(agency: Agency, text: str) -> Match | None:
    text = (text or "").strip()[:300]
    if not text:
        return None
    parts = normalize.parse(text)
    if parts is not None:
        found = _from_table(agency, parts)
        if found is not None:
            return found
    return _from_server(text)


def _as_match(address: Address, exact: bool) -> Match:
    return Match(lat=address.lat, lon=address.lon, label=address.label, h3=address.h3, exact=exact)


def _prefer(rows: list[Address], parts: normalize.Parts) -> Address | None:
    """Among rows for one number, prefer the typed unit, then the typed ZIP, then city."""
    if not rows:
        return None

    def score(a: Address) -> tuple[int, int, int, int]:
        return (
            int(bool(parts.unit) and a.unit == parts.unit),
            int(not a.unit),  # the building itself over some other unit in it
            int(bool(parts.postcode) and a.postcode == parts.postcode),
            int(bool(parts.city) and a.city.upper() == parts.city),
        )

    return max(rows, key=score)


def _from_table(agency: Agency, parts: normalize.Parts) -> Match | None:
    mine = Address.objects.filter(agency=agency)
    # 1. The street as typed, normalized ("1234 north main street" → "1234 N MAIN ST").
    rows = list(mine.filter(street=parts.street, number=parts.number)[:50])
    if not rows:
        # 2. The bare name: the person left out (or added) a direction or a suffix. Kept only
        #    when the parts they did type agree, so "S Main" never lands on "N Main".
        candidates = mine.filter(street_name=parts.name, number=parts.number)[:50]
        rows = [a for a in candidates if _compatible(a.street, parts)]
    best = _prefer(rows, parts)
    if best is not None:
        return _as_match(best, exact=True)
    # 3. Same street, the nearest number on the same side (same parity).
    digits = re.match(r"\d{1,9}", parts.number)
    if not digits:
        return None
    wanted = int(digits.group())
    near = [
        a
        for a in mine.filter(
            street_name=parts.name,
            number_int__range=(wanted - NEAR_NUMBERS, wanted + NEAR_NUMBERS),
        )[:2000]
        if _compatible(a.street, parts) and a.number_int is not None
    ]
    if near:
        best = min(near, key=lambda a: (a.number_int % 2 != wanted % 2, abs(a.number_int - wanted)))  # type: ignore[operator]
        return _as_match(best, exact=False)
    return None


def _compatible(stored_street: str, parts: normalize.Parts) -> bool:
    """Does a stored street agree with every part the person typed?"""
    words = stored_street.split()
    name_words = parts.name.split()
    # Locate the name inside the stored street, then compare what is around it.
    for i in range(len(words) - len(name_words) + 1):
        if words[i : i + len(name_words)] != name_words:
            continue
        before, after = words[:i], words[i + len(name_words) :]
        predir = before[-1] if before else ""
        suffix = after[0] if after and after[0] not in normalize.DIRECTIONS.values() else ""
        postdir = after[-1] if after and after[-1] in normalize.DIRECTIONS.values() else ""
        if parts.predir and predir and parts.predir != predir:
            return False
        if parts.suffix and suffix and parts.suffix != suffix:
            return False
        if parts.postdir and postdir and parts.postdir != postdir:
            return False
        return True
    return False


# --- An outside geocoder --------------------------------------------------------------------


def _fetch(url: str) -> Any:
    request = urllib.request.Request(
        url,
        headers={
            # Nominatim's usage policy asks every client to name itself.
            "User-Agent": "Porchlight geocoder (https://github.com/porchlight)",
            "Accept": "application/json",
        },
    )
    timeout = float(getattr(settings, "PORCHLIGHT_GEOCODER_TIMEOUT", 5))
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return json.loads(response.read(2_000_000))


def _from_server(text: str) -> Match | None:
    kind = getattr(settings, "PORCHLIGHT_GEOCODER", "") or ""
    base = (getattr(settings, "PORCHLIGHT_GEOCODER_URL", "") or "").rstrip("/")
    if not kind or not base:
        return None
    try:
        if kind == "nominatim":
            query = urllib.parse.urlencode(
                {"q": text, "format": "jsonv2", "limit": 1, "addressdetails": 0}
            )
            results = _fetch(f"{base}/search?{query}")
            if not results:
                return None
            top = results[0]
            lat, lon = float(top["lat"]), float(top["lon"])
            label = str(top.get("display_name") or text)
            exact = top.get("addresstype") in ("house", "building") or top.get("type") == "house"
        elif kind == "pelias":
            query = urllib.parse.urlencode({"text": text, "size": 1})
            data = _fetch(f"{base}/v1/search?{query}")
            features = data.get("features") or []
            if not features:
                return None
            top = features[0]
            lon, lat = (float(v) for v in top["geometry"]["coordinates"][:2])
            props = top.get("properties") or {}
            label = str(props.get("label") or text)
            exact = props.get("layer") == "address" and props.get("match_type", "exact") == "exact"
        else:
            log.error("PORCHLIGHT_GEOCODER=%r: expected nominatim or pelias", kind)
            return None
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        # A geocoder that is down or answers nonsense is a miss: the person gets the pin.
        log.warning("geocoder %s failed: %s", kind, exc)
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return Match(lat=lat, lon=lon, label=label[:200], h3=h3index.cell(lat, lon), exact=exact)
