"""The generic preset: a mapping file names the columns, time formats, zone and coordinate system."""

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from porchlight.calls.importing import MappingError, Unreadable, run_import
from porchlight.calls.models import Call

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
CSV = SAMPLES / "generic-cad-export.csv"
MAPPING = SAMPLES / "generic-cad-export.mapping.json"


@pytest.mark.django_db
def test_generic_mapping_converts_state_plane_and_uses_agency_zone(agency):
    result = run_import(CSV, agency, "generic", mapping_path=MAPPING)

    assert result.finished and result.rows == 10
    assert Call.objects.filter(agency=agency).count() == 9
    call = Call.objects.get(incident_number="26-004101")
    # X/Y are California zone 5 (EPSG:2229, US feet); the sample was made from 35.3738, -119.0194.
    assert call.lat == pytest.approx(35.3738, abs=1e-5)
    assert call.lon == pytest.approx(-119.0194, abs=1e-5)
    # Naive times are read in the agency's zone (America/Los_Angeles) when the mapping names none.
    assert call.received_at == datetime(
        2026, 11, 20, 8, 14, 3, tzinfo=ZoneInfo("America/Los_Angeles")
    )
    assert (call.report_number, call.beat, call.district) == ("26-B0411", "B12", "Central")
    assert Call.objects.get(incident_number="26-004104").status == "cancelled"  # CAN
    # A value in ISO 8601 is read whatever the patterns say.
    received = Call.objects.get(incident_number="26-004105").received_at
    assert received == datetime(2026, 11, 21, 12, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert [b.line for b in result.bad_rows] == [7, 8]
    assert "11/31/2026 16:00:00" in result.bad_rows[1].reason


@pytest.mark.django_db
def test_mapping_time_zone_overrides_agency(agency, tmp_path):
    mapping = json.loads(MAPPING.read_text()) | {"time_zone": "America/Chicago"}
    path = tmp_path / "m.json"
    path.write_text(json.dumps(mapping))
    run_import(CSV, agency, "generic", mapping_path=path)
    call = Call.objects.get(incident_number="26-004101")
    assert call.received_at == datetime(2026, 11, 20, 8, 14, 3, tzinfo=ZoneInfo("America/Chicago"))


@pytest.mark.parametrize(
    "mapping, reason",
    [
        ("[1]", "must be a JSON object"),
        ("{not json", "not valid JSON"),
        ('{"columns": {}, "times": {"received": "A"}}', "incident_number"),
        (
            '{"columns": {"incident_number": "A", "colour": "B"}, "times": {"received": "A"}}',
            "unknown fields",
        ),
        ('{"columns": {"incident_number": "A"}, "times": {"arrived": "A"}}', "unknown statuses"),
        (
            '{"columns": {"incident_number": "A"}, "times": {"received": "T"}, "time_zone": "Mars/Base"}',
            "time zone",
        ),
        (
            '{"columns": {"incident_number": "A"}, "times": {"received": "T"}, "epsg": 999999}',
            "epsg",
        ),
        (
            '{"columns": {"incident_number": "A"}, "times": {"received": "T"}, "time_formats": ["dd/mm"]}',
            "strptime",
        ),
    ],
)
@pytest.mark.django_db
def test_bad_mapping_file_is_refused_with_reason(agency, tmp_path, mapping, reason):
    path = tmp_path / "mapping.json"
    path.write_text(mapping)
    with pytest.raises(MappingError, match=reason):
        run_import(CSV, agency, "generic", mapping_path=path)
    assert not Call.objects.exists()


@pytest.mark.django_db
def test_header_without_the_mapped_columns_cannot_be_read(agency):
    with pytest.raises(Unreadable, match="no incident number column"):
        run_import(CSV, agency, "new-orleans")


@pytest.mark.django_db
def test_generic_needs_a_mapping(agency):
    with pytest.raises(MappingError, match="--mapping"):
        run_import(CSV, agency, "generic")
