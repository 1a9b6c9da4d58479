"""The public's view of a location: the hundred block and a point moved off the address."""

from __future__ import annotations

from django.utils import translation

from porchlight.geo import h3index
from porchlight.geo.blocks import MAX_OFFSET_M, MIN_OFFSET_M, generalize, hundred_block


def test_hundred_block() -> None:
    assert hundred_block("1234", "Main St") == "1200 block of Main St"
    assert hundred_block(1299, "Main St") == "1200 block of Main St"
    assert hundred_block("1234-B", "N Chester Ave") == "1200 block of N Chester Ave"
    assert hundred_block("45", "Oak St") == "0 block of Oak St"
    assert hundred_block("", "Oak St") == "Oak St"


def test_hundred_block_in_spanish() -> None:
    with translation.override("es"):
        assert hundred_block("1234", "Main St") == "cuadra 1200 de Main St"


def test_generalize_is_deterministic_and_never_the_point() -> None:
    lat, lon = 35.373292, -119.018712
    seen = set()
    for key in [f"address-{i}" for i in range(300)]:
        moved = generalize(lat, lon, key)
        assert moved == generalize(lat, lon, key)
        meters = h3index.miles_between(lat, lon, *moved) * h3index.METERS_PER_MILE
        assert MIN_OFFSET_M - 2 <= meters <= MAX_OFFSET_M + 2
        seen.add(moved)
    # Different places go different ways: no shared offset to subtract.
    assert len(seen) > 290


def test_generalize_depends_on_the_secret(settings) -> None:  # type: ignore[no-untyped-def]
    before = generalize(35.0, -119.0, "k")
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert generalize(35.0, -119.0, "k") != before
