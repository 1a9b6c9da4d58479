"""What the report form's map pin picker (static/reports/pin.js) reads: the agency's area to
centre on, and the same base layer as the public map (configured tiles, else the bundled
streets), so the two maps look alike and neither calls a third party unless tiles are set."""

from __future__ import annotations

from django.conf import settings
from django.templatetags.static import static

from porchlight.agencies.models import Agency
from porchlight.publicmap.views import extent


def pin_map(agency: Agency) -> dict[str, str] | None:
    """The map element's data- attributes; None when the agency has no area yet (no address
    table, nothing published), so there is nowhere to centre and the form shows no map."""
    area = extent(agency)
    if area is None:
        return None
    return {
        "bounds": f"{area.south},{area.west},{area.north},{area.east}",
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "streets": static(settings.MAP_STREETS)
        if settings.MAP_STREETS and not settings.MAP_TILE_URL
        else "",
    }
