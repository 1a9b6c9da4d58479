"""Radius edges for the queries alerts and the feed build on (places.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from porchlight.community.places import places_covering, places_within, residents_near
from porchlight.community.tests.factories import make_place, make_resident, north_of
from porchlight.demo.agency import make_agency

LAT, LON = 35.3733, -119.0187  # downtown Bakersfield


@pytest.mark.django_db
def test_a_place_covers_points_up_to_its_radius_and_not_past_it(agency: Any) -> None:
    resident = make_resident(agency, "ana@example.org")
    place = make_place(resident, LAT, LON, miles=0.25)
    assert places_covering(agency, north_of(LAT, 0.249), LON) == [place]
    assert places_covering(agency, north_of(LAT, 0.251), LON) == []


@pytest.mark.django_db
def test_the_largest_radius_is_found_by_the_box_prefilter(agency: Any) -> None:
    resident = make_resident(agency, "ana@example.org")
    far = make_place(resident, LAT, LON, miles=5.0)
    assert places_covering(agency, north_of(LAT, 4.99), LON) == [far]
    assert places_covering(agency, north_of(LAT, 5.01), LON) == []


@pytest.mark.django_db
def test_places_within_is_measured_from_the_point_nearest_first(agency: Any) -> None:
    resident = make_resident(agency, "ana@example.org")
    near = make_place(resident, north_of(LAT, 0.5), LON, name="Work")
    nearer = make_place(resident, north_of(LAT, 0.1), LON)
    make_place(resident, north_of(LAT, 1.2), LON, name="Mum's")
    assert [p for p, _miles in places_within(agency, LAT, LON, 1.0)] == [nearer, near]


@pytest.mark.django_db
def test_residents_near_lists_each_resident_once_and_only_the_agencys(agency: Any) -> None:
    ana = make_resident(agency, "ana@example.org")
    make_place(ana, LAT, LON)
    make_place(ana, north_of(LAT, 0.2), LON, name="Work")
    other = make_agency(slug="other", ori="CA0150099", name="Other PD")
    make_place(make_resident(other, "bo@example.org"), LAT, LON)
    assert residents_near(agency, LAT, LON) == [ana]


@pytest.mark.django_db
def test_radius_outside_a_quarter_to_five_miles_is_refused(agency: Any) -> None:
    resident = make_resident(agency, "ana@example.org")
    place = make_place(resident, LAT, LON)
    for miles in (0.2, 5.5):
        place.radius_miles = miles
        with pytest.raises(ValidationError):
            place.full_clean()
    # And the database refuses it too, whatever code writes the row.
    with pytest.raises(IntegrityError), transaction.atomic():
        make_place(resident, LAT, LON, miles=6)
