"""The public point: the hundred block moved 40–120 m, the same for every call on the block,
never the caller's point nor the block's own."""

from __future__ import annotations

import pytest

from porchlight.geo import h3index
from porchlight.publicmap import publish
from porchlight.publicmap.models import PublishedIncident
from porchlight.publicmap.tests.builders import BLOCK_LAT, make_call, truxtun_block

pytestmark = pytest.mark.django_db

METERS_PER_MILE = 1609.344


def meters(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return h3index.miles_between(lat1, lon1, lat2, lon2) * METERS_PER_MILE


def test_the_point_is_the_block_moved_never_the_address(agency):
    addresses = truxtun_block(agency, 1200)
    block_lat = sum(a.lat for a in addresses) / len(addresses)
    block_lon = sum(a.lon for a in addresses) / len(addresses)
    calls = [make_call(agency, address=f"{n} Truxtun Ave", lon=-119.02 + n * 0.00001)
             for n in (1204, 1260, 1298)]  # fmt: skip
    publish.run(agency)
    rows = list(PublishedIncident.objects.order_by("pk"))
    assert len(rows) == 3
    # One point for the whole block: nothing distinguishes the houses.
    assert len({(r.lat, r.lon) for r in rows}) == 1
    row = rows[0]
    assert (row.block_number, row.street) == (1200, "Truxtun Ave")
    assert 40 <= meters(row.lat, row.lon, block_lat, block_lon) <= 121
    for call, address in zip(calls, ("1204", "1260", "1298"), strict=True):
        assert call.lat is not None and call.lon is not None
        assert meters(row.lat, row.lon, call.lat, call.lon) >= 10
        exact = next(a for a in addresses if a.number == address) if address != "1298" else None
        if exact is not None:
            assert (row.lat, row.lon) != (exact.lat, exact.lon)
    assert row.h3 == h3index.cell(row.lat, row.lon)


def test_without_an_address_table_the_call_point_is_snapped_then_moved(agency):
    call = make_call(agency, address="1234 Truxtun Ave", lat=35.37334, lon=-119.00766)
    publish.run(agency)
    row = PublishedIncident.objects.get()
    snapped = publish.snap(35.37334, -119.00766)
    assert 40 <= meters(row.lat, row.lon, *snapped) <= 121
    assert call.lat is not None and call.lon is not None
    assert (row.lat, row.lon) != (call.lat, call.lon)


def test_an_intersection_keeps_no_street_and_still_moves(agency):
    make_call(agency, address="Truxtun Ave / Chester Ave", lat=BLOCK_LAT, lon=-119.018)
    publish.run(agency)
    row = PublishedIncident.objects.get()
    assert row.block_number is None and row.street == ""
    assert 40 <= meters(row.lat, row.lon, *publish.snap(BLOCK_LAT, -119.018)) <= 121


def test_a_call_with_no_place_at_all_is_not_published(agency):
    make_call(agency, address="", lat=None, lon=None)
    assert publish.run(agency).published == 0


@pytest.mark.parametrize(
    ("address", "block"),
    [
        ("1234 Truxtun Ave", (1200, "TRUXTUN AVE", "Truxtun Ave")),
        ("56 north chester avenue apt 4", (0, "N CHESTER AVE", "N Chester Ave")),
        ("2101 18th Street", (2100, "18TH ST", "18th St")),
        ("Truxtun Ave & Chester Ave", None),
        ("", None),
    ],
)
def test_parse_block(address, block):
    assert publish.parse_block(address) == block
