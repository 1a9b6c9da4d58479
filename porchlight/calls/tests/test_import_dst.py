"""Local times around daylight-saving changes: an export's naive times in the agency's zone are
stored as one definite instant each, never rejected and never an exception. The hour repeated in
November reads as its first pass (daylight time); the hour skipped in March reads with the offset
in force before the change, as Python's zoneinfo does (PEP 495, fold=0): 02:30 becomes 03:30 daylight time."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from porchlight.calls.importing import run_import
from porchlight.calls.models import Call

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
MAPPING = SAMPLES / "generic-cad-export.mapping.json"
HEADER = (
    "IncidentNo,CallType,CallTypeDesc,Priority,CallReceived,Dispatched,Arrived,Cleared,"
    "Disposition,Address,X,Y,Beat,District,CaseNo"
)


@pytest.mark.django_db
def test_times_in_the_repeated_and_the_skipped_hour(agency, tmp_path):
    export = tmp_path / "dst.csv"
    export.write_text(
        HEADER
        + "\n"
        # 1 November 2026, Los Angeles: 01:00-02:00 happens twice.
        + "26-005001,415,Disturbance,3,11/01/2026 01:30:00,11/01/2026 01:40:00,,"
        "11/01/2026 01:55:00,ADV,,,,B07,Central,\n"
        # 8 March 2026: 02:00-03:00 does not happen.
         + "26-005002,415,Disturbance,3,03/08/2026 02:30:00,,,03/08/2026 03:40:00,ADV,,,,B07,"
        "Central,\n"
    )
    result = run_import(export, agency, "generic", mapping_path=MAPPING)

    assert result.finished and result.bad_rows == []
    autumn = Call.objects.get(incident_number="26-005001")
    assert autumn.received_at == datetime(2026, 11, 1, 8, 30, tzinfo=UTC)  # 01:30 PDT
    assert autumn.cleared_at == datetime(2026, 11, 1, 8, 55, tzinfo=UTC)
    assert autumn.status == "cleared"
    spring = Call.objects.get(incident_number="26-005002")
    assert spring.received_at == datetime(2026, 3, 8, 10, 30, tzinfo=UTC)  # 02:30 read as PST
    assert spring.cleared_at == datetime(2026, 3, 8, 10, 40, tzinfo=UTC)  # 03:40 PDT
