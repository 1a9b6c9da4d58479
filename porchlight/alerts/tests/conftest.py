"""Alerts test fixtures: the demo city's beats as a grid, residents with places, a staff client."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from porchlight.agencies.models import Agency
from porchlight.agencies.tests.conftest import other_agency, signed_in
from porchlight.alerts import beats
from porchlight.alerts.models import Beat
from porchlight.community.tests.factories import make_place, make_resident

__all__ = ["other_agency", "signed_in"]  # fixtures shared with the agencies tests

# Downtown Bakersfield; beats are 0.02° squares (about 1.4 by 1.1 miles) in a 2×2 grid.
LAT, LON = 35.37, -119.02
STEP = 0.02


def square(lat: float, lon: float, step: float = STEP) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [[
            [lon, lat], [lon + step, lat], [lon + step, lat + step], [lon, lat + step], [lon, lat],
        ]],
    }  # fmt: skip


def beat_file(**extra: dict[str, Any]) -> bytes:
    features = [
        {"type": "Feature", "properties": {"BEAT": code, "name": f"Beat {code}"},
         "geometry": square(LAT + row * STEP, LON + col * STEP)}
        for code, row, col in (("1A", 0, 0), ("1B", 0, 1), ("2A", 1, 0), ("2B", 1, 1))
    ]  # fmt: skip
    return json.dumps({"type": "FeatureCollection", "features": features, **extra}).encode()


@pytest.fixture
def grid(agency: Agency) -> dict[str, Beat]:
    beats.import_geojson(agency, beat_file(), code_property="beat")
    return {beat.code: beat for beat in Beat.objects.filter(agency=agency)}


@pytest.fixture
def neighbor(agency: Agency) -> Callable[..., Any]:
    """A resident with a place at (lat, lon); returns the Place."""
    count = [0]

    def build(lat: float, lon: float, miles: float = 0.25, language: str = "en") -> Any:
        count[0] += 1
        resident = make_resident(agency, f"neighbor{count[0]}@example.org")
        if language != resident.language:
            resident.language = language
            resident.save(update_fields=["language"])
        return make_place(resident, lat, lon, miles)

    return build
