"""What the public sees instead of an exact location: the hundred block, and a point moved a
small, fixed distance from the real one."""

from __future__ import annotations

import hashlib
import hmac
import math
import re

from django.conf import settings
from django.utils.translation import gettext as _

# The offset stays within a block (a US block face is ~100–200 m) yet is far enough that the
# point never marks a particular house.
MIN_OFFSET_M = 40.0
MAX_OFFSET_M = 120.0
_METERS_PER_DEG_LAT = 111_320.0


def hundred_block(number: str | int, street: str) -> str:
    """ "1234", "Main St" → "1200 block of Main St"; numbers under 100 are the "0 block"."""
    match = re.match(r"\s*(\d+)", str(number))
    if not match:
        return street
    block = int(match.group(1)) // 100 * 100
    return _("%(block)s block of %(street)s") % {"block": block, "street": street}


def generalize(lat: float, lon: float, key: str) -> tuple[float, float]:
    """(lat, lon) moved 40–120 m in a direction fixed by `key`, rounded to ~1 m.

    Deterministic: the same key always gives the same point, so refreshing the map or
    averaging many renderings never converges on the true location. Pass a key that is
    stable for the place (an address id, the rounded location), not one that changes per
    request. The secret key is mixed in so the offset cannot be recomputed from public data.
    """
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"geo.generalize:{key}".encode(), hashlib.sha256
    ).digest()
    bearing = int.from_bytes(digest[:4], "big") / 2**32 * 2 * math.pi
    fraction = int.from_bytes(digest[4:8], "big") / 2**32
    distance = MIN_OFFSET_M + fraction * (MAX_OFFSET_M - MIN_OFFSET_M)
    dlat = distance * math.cos(bearing) / _METERS_PER_DEG_LAT
    dlon = distance * math.sin(bearing) / (_METERS_PER_DEG_LAT * math.cos(math.radians(lat)))
    return round(lat + dlat, 5), round(lon + dlon, 5)
