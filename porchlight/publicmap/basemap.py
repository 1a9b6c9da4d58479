"""The base layer the small maps on forms share with the public map: the data- attributes that
static/publicmap/basemap.js reads (the report form's pin picker, drawing a place). The
configured tiles, else the bundled streets, so the maps look alike and none calls a third
party unless tiles are set."""

from __future__ import annotations

from django.conf import settings
from django.templatetags.static import static

from porchlight.agencies.models import Agency
from porchlight.publicmap.views import extent


def base_map(agency: Agency) -> dict[str, str] | None:
    """The map element's data- attributes; None when the agency has no area yet (no address
    table, nothing published), so there is nowhere to centre and the page shows no map."""
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
