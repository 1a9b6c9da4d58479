"""What the report form's map pin picker (static/reports/pin.js) reads: the agency's area to
centre on, and the same base layer as the public map (publicmap/basemap.py, shared with the
place-drawing map)."""

from __future__ import annotations

from porchlight.agencies.models import Agency
from porchlight.publicmap.basemap import base_map


def pin_map(agency: Agency) -> dict[str, str] | None:
    """The map element's data- attributes; None when the agency has no area yet."""
    return base_map(agency)
