"""Geocoding from the agency's address table: matches that tolerate how people type, and
misses that say so (the caller then offers the map pin)."""

from __future__ import annotations

from typing import Any

import pytest

from porchlight.geo import h3index
from porchlight.geo.addresses import build
from porchlight.geo.geocode import NOT_FOUND, Match, geocode
from standins.builders import make_agency


@pytest.fixture
def table(agency: Any) -> Any:
    rows = [
        build(agency, number="1234", street="N Chester Ave", lat=35.3901, lon=-119.0160, city="Bakersfield", postcode="93308"),
        build(agency, number="1234", street="S Chester Ave", lat=35.3300, lon=-119.0161, city="Bakersfield", postcode="93304"),
        build(agency, number="1238", street="N Chester Ave", lat=35.3903, lon=-119.0160),
        build(agency, number="500", street="Truxtun Avenue", lat=35.3731, lon=-119.0190, unit="", city="Bakersfield"),
        build(agency, number="500", street="Truxtun Avenue", lat=35.37312, lon=-119.01901, unit="12", city="Bakersfield"),
        build(agency, number="2000", street="First Street", lat=35.3800, lon=-119.0300),
        build(agency, number="77", street="Main St", lat=35.3700, lon=-119.0200),
    ]  # fmt: skip
    from porchlight.geo.models import Address

    Address.objects.bulk_create([r for r in rows if r is not None])
    return agency


@pytest.mark.parametrize(
    "typed",
    [
        "1234 N Chester Ave",
        "1234 North Chester Avenue",
        "1234 n. chester ave.",
        "1234 NORTH CHESTER AVE, Bakersfield, CA 93308",
        "1234 N Chester Ave Apt 5",
        "1234 N Chester Ave #5",
        "1234 N Chester",  # no suffix
    ],
)
def test_match_tolerates_abbreviations_case_and_units(table: Any, typed: str) -> None:
    found = geocode(table, typed)
    assert found == Match(
        lat=35.3901,
        lon=-119.0160,
        label="1234 N Chester Ave",
        h3=h3index.cell(35.3901, -119.0160),
        exact=True,
    )


def test_direction_decides_between_north_and_south(table: Any) -> None:
    south = geocode(table, "1234 South Chester Avenue")
    assert south is not None and south.lat == 35.3300 and south.exact


def test_omitted_direction_uses_the_typed_zip(table: Any) -> None:
    found = geocode(table, "1234 Chester Ave, Bakersfield CA 93304")
    assert found is not None and found.lat == 35.3300


def test_unit_picks_the_unit_row_otherwise_the_building(table: Any) -> None:
    unit = geocode(table, "500 Truxtun Ave Unit 12")
    assert unit is not None and unit.label == "500 Truxtun Avenue #12"
    building = geocode(table, "500 truxtun ave")
    assert building is not None and building.label == "500 Truxtun Avenue"


def test_spelled_ordinals_match_numbers(table: Any) -> None:
    found = geocode(table, "2000 1st St")
    assert found is not None and found.label == "2000 First Street"


def test_missing_number_on_a_known_street_is_an_approximate_match(table: Any) -> None:
    found = geocode(table, "1236 N Chester Ave")
    assert found is not None and not found.exact
    assert found.label in ("1234 N Chester Ave", "1238 N Chester Ave")


@pytest.mark.parametrize(
    "typed",
    [
        "9999 N Chester Ave",  # a number far from any on the street
        "1234 Elm St",  # a street the table does not have
        "1234 W Chester Ave",  # a direction that contradicts every row
        "77 Main Blvd",  # a suffix that contradicts the row
        "Chester Ave",  # no number
        "",
        "my house",
        "(" * 300,
    ],
)
def test_misses_return_none(table: Any, typed: str) -> None:
    assert geocode(table, typed) is None


def test_another_agencys_addresses_never_match(table: Any) -> None:
    other = make_agency(slug="other-pd", ori="CA0150099")
    assert geocode(other, "1234 N Chester Ave") is None


def test_miss_message_is_translated() -> None:
    from django.utils import translation

    with translation.override("es"):
        assert "mapa" in str(NOT_FOUND)
