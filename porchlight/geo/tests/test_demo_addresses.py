"""The demo's generated address table: the simulator's addresses geocode in the demo city."""

from __future__ import annotations

import random
from typing import Any

from porchlight.calls.simulator import DISTRICTS
from porchlight.demo import addresses
from porchlight.geo.geocode import geocode
from porchlight.geo.models import Address


def test_demo_city_addresses_geocode_and_seed_once(agency: Any) -> None:
    added = addresses.seed(agency)
    streets = sum(len(spec["streets"]) for spec in DISTRICTS.values())
    assert added == Address.objects.filter(agency=agency).count() > streets * 400
    assert addresses.seed(agency) == 0  # idempotent

    rng = random.Random(7)
    for spec in DISTRICTS.values():
        lat0, lat1, lon0, lon1 = spec["box"]
        street = rng.choice(spec["streets"])
        number = rng.randrange(1, 59) * 100 + rng.randrange(0, 99)
        found = geocode(agency, f"{number} {street}, Bakersfield CA")
        assert found is not None, (number, street)
        assert lat0 <= found.lat <= lat1 and lon0 - 0.001 <= found.lon <= lon1 + 0.001
