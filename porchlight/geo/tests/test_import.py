"""`porchlight geo import`: CSV and OpenAddresses files into the agency's address table, in
batches, with a progress bar; the imported rows then geocode."""

from __future__ import annotations

import gzip
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from porchlight.audit.models import AuditEntry
from porchlight.geo import importer
from porchlight.geo.geocode import geocode
from porchlight.geo.models import Address
from standins.builders import make_agency

OA_CSV = """LON,LAT,NUMBER,STREET,UNIT,CITY,DISTRICT,REGION,POSTCODE,ID,HASH
-119.0160,35.3901,1234,N CHESTER AVE,,BAKERSFIELD,,CA,93308,,a1
-119.0161,35.3300,1234,S CHESTER AVE,,BAKERSFIELD,,CA,93304,,a2
-119.0190,35.3731,500,TRUXTUN AVE,12,BAKERSFIELD,,CA,93301,,a3
-119.0190,35.3731,500,TRUXTUN AVE,,BAKERSFIELD,,CA,93301,,a4
,,77,MAIN ST,,BAKERSFIELD,,CA,93301,,a5
-119.0200,35.3700,,MAIN ST,,BAKERSFIELD,,CA,93301,,a6
"""


def _run(*args: str) -> str:
    out = StringIO()
    call_command("geo", "import", *args, "--no-progress", stdout=out)
    return out.getvalue()


def test_openaddresses_csv(agency: Any, tmp_path: Path) -> None:
    path = tmp_path / "ca-kern.csv"
    path.write_text(OA_CSV)
    out = _run(str(path), "--agency", agency.slug)
    assert "4 addresses added, 0 already present, 2 rows skipped" in out
    assert "skipped 1: no coordinates" in out
    assert "skipped 1: no number, street or usable point" in out
    found = geocode(agency, "1234 north chester avenue")
    assert found is not None and found.exact and (found.lat, found.lon) == (35.3901, -119.016)
    entry = AuditEntry.objects.get(action="geo.import")
    assert (entry.agency, entry.actor_label) == (agency, "geo import")
    assert entry.changes["files"] == ["ca-kern.csv"] and entry.changes["added"] == 4
    unit = Address.objects.get(agency=agency, unit="12")
    assert (unit.street, unit.street_name, unit.state, unit.postcode) == (
        "TRUXTUN AVE",
        "TRUXTUN",
        "CA",
        "93301",
    )


def test_importing_again_adds_nothing_and_replace_starts_over(agency: Any, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(OA_CSV)
    _run(str(path))
    assert "0 addresses added, 4 already present" in _run(str(path))
    assert "4 addresses added, 0 already present" in _run(str(path), "--replace")
    assert Address.objects.filter(agency=agency).count() == 4


def test_plain_csv_with_other_column_names_and_a_bom(agency: Any, tmp_path: Path) -> None:
    path = tmp_path / "county.csv"
    path.write_text(
        "\ufeffHouse_Number,Street_Name,Apt,City,State,Zip,Latitude,Longitude\n"
        "2000,First Street,,Bakersfield,CA,93301,35.38,-119.03\n",
        encoding="utf-8",
    )
    assert "1 addresses added" in _run(str(path))
    assert geocode(agency, "2000 1st St") is not None


def test_openaddresses_geojson_lines_gzipped(agency: Any, tmp_path: Path) -> None:
    path = tmp_path / "ca-kern-addresses-county.geojson.gz"
    features = [
        {"type": "Feature", "properties": {"number": str(100 + i), "street": "ELM ST", "unit": "", "city": "BAKERSFIELD", "region": "CA", "postcode": "93301"}, "geometry": {"type": "Point", "coordinates": [-119.0 - i / 10000, 35.37]}}
        for i in range(25)
    ]  # fmt: skip
    with gzip.open(path, "wt") as f:
        for feature in features:
            f.write(json.dumps(feature) + "\n")
        f.write("this line is not json\n")
    out = _run(str(path), "--batch", "10")
    assert "25 addresses added" in out and "skipped 1: not a GeoJSON point feature" in out
    found = geocode(agency, "110 Elm Street")
    assert found is not None and found.lon == pytest.approx(-119.001)


def test_batches_are_separate_inserts(
    agency: Any, tmp_path: Path, django_assert_max_num_queries: Any
) -> None:
    path = tmp_path / "many.csv"
    lines = ["number,street,lat,lon"] + [f"{n},Oak St,35.3,-119.0" for n in range(1, 2501)]
    path.write_text("\n".join(lines))
    # 2,500 rows in batches of 1,000: a few dozen multi-row INSERTs (SQLite caps the rows per
    # statement by its variable limit), never one per row.
    with django_assert_max_num_queries(60):
        result = importer.load(agency, [path], batch=1000, progress=False)
    assert result.added == 2500


def test_progress_bar_reports_bytes(agency: Any, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "bar.csv"
    path.write_text(OA_CSV)
    importer.load(agency, [path], progress=True)
    err = capsys.readouterr().err
    assert "bar.csv" in err and "100%" in err


def test_bad_files_and_arguments_are_clear_errors(agency: Any, tmp_path: Path) -> None:
    no_header = tmp_path / "x.csv"
    no_header.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(CommandError, match="no column for number, street, lat, lon"):
        _run(str(no_header))
    with pytest.raises(CommandError, match="no such file"):
        _run(str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="no agency"):
        _run(str(no_header), "--agency", "nope")
    make_agency(slug="other-pd", ori="CA0150099")
    with pytest.raises(CommandError, match="--agency"):
        _run(str(no_header))


def test_addresses_belong_to_the_named_agency(agency: Any, tmp_path: Path) -> None:
    other = make_agency(slug="other-pd", ori="CA0150099")
    path = tmp_path / "a.csv"
    path.write_text(OA_CSV)
    _run(str(path), "--agency", "other-pd")
    assert geocode(agency, "1234 N Chester Ave") is None
    assert geocode(other, "1234 N Chester Ave") is not None
