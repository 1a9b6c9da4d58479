"""The bundled demo streets: what publicmap/streets.py makes, lying along the demo addresses."""

from __future__ import annotations

from porchlight.demo import addresses
from porchlight.publicmap import streets
from standins.builders import make_agency


def test_the_committed_file_is_what_the_generator_makes():
    # Regenerate with `python -m porchlight.publicmap.streets` after changing the demo city.
    assert streets.FILE.read_bytes() == streets.render()


def test_every_demo_address_lies_on_its_street(db):
    lines = {
        f["properties"]["name"]: f["geometry"]["coordinates"]
        for f in streets.demo_streets()["features"]
    }
    agency = make_agency()
    for address in list(addresses.rows(agency))[::97]:
        (lon0, lat0), (lon1, lat1) = lines[address.label.split(" ", 1)[1]]
        # Within the street's span, and at most one side's offset (~13 m) off its line.
        assert min(lat0, lat1) - 0.0002 <= address.lat <= max(lat0, lat1) + 0.0002
        assert min(lon0, lon1) - 0.0002 <= address.lon <= max(lon0, lon1) + 0.0002
