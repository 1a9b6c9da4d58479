"""H3 cells: bigint-safe ints, a covering that never misses a point in range, distances."""

from __future__ import annotations

import math
import random

import h3
import pytest

from porchlight.geo import h3index

BAKERSFIELD = (35.3733, -119.0187)


def test_cell_is_the_h3_v4_index_as_a_signed_bigint() -> None:
    value = h3index.cell(*BAKERSFIELD)
    assert 0 < value < 2**63
    assert h3.int_to_str(value) == h3.latlng_to_cell(*BAKERSFIELD, h3index.RESOLUTION)
    assert h3.get_resolution(h3.int_to_str(value)) == 9


def test_miles_between_known_distance() -> None:
    # Bakersfield to Los Angeles City Hall: about 100 miles as the crow flies.
    assert 98 < h3index.miles_between(*BAKERSFIELD, 34.0537, -118.2427) < 103
    assert h3index.miles_between(*BAKERSFIELD, *BAKERSFIELD) == 0


def _offset(lat: float, lon: float, miles: float, bearing: float) -> tuple[float, float]:
    d = miles / h3index.EARTH_RADIUS_MILES
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(bearing))
    l2 = l1 + math.atan2(
        math.sin(bearing) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    return math.degrees(p2), math.degrees(l2)


@pytest.mark.parametrize(
    ("center", "miles"),
    [(BAKERSFIELD, 0.25), (BAKERSFIELD, 1.0), ((61.2, -149.9), 2.0), ((0.01, 179.99), 0.5)],
)
def test_cells_within_covers_every_point_in_range(
    center: tuple[float, float], miles: float
) -> None:
    covering = set(h3index.cells_within(*center, miles))
    rng = random.Random(f"{center}{miles}")
    for _ in range(1500):
        # Points up to the very edge of the radius, where a short covering would fail.
        r = miles * math.sqrt(rng.random()) if rng.random() < 0.5 else miles * 0.999
        lat, lon = _offset(*center, r, rng.uniform(0, 2 * math.pi))
        assert h3index.miles_between(*center, lat, lon) <= miles
        assert h3index.cell(lat, lon) in covering


def test_cells_within_is_trimmed_to_the_disk() -> None:
    cells = h3index.cells_within(*BAKERSFIELD, 1.0)
    # A one-mile disk is ~8.1 km²; res-9 cells are ~0.1 km²: about 80 plus the rim, not the
    # ~300 of the untrimmed hexagonal disk.
    assert 70 < len(cells) < 160
    far = [
        c
        for c in cells
        if h3index.miles_between(*BAKERSFIELD, *h3.cell_to_latlng(h3.int_to_str(c))) > 1.3
    ]
    assert far == []


def test_cells_within_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        h3index.cells_within(*BAKERSFIELD, -1)
    with pytest.raises(ValueError):
        h3index.cells_within(*BAKERSFIELD, float("nan"))


def test_bounding_box_holds_the_disk() -> None:
    rng = random.Random(3)
    for center, miles in ((BAKERSFIELD, 10.0), ((61.2, -149.9), 25.0)):
        lat0, lat1, lon0, lon1 = h3index.bounding_box(*center, miles)
        for _ in range(500):
            lat, lon = _offset(*center, miles * 0.999, rng.uniform(0, 2 * math.pi))
            assert lat0 <= lat <= lat1 and lon0 <= lon <= lon1
