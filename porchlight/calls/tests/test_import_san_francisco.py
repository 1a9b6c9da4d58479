"""The san-francisco preset on a sample with DataSF's published headers (Closed dataset, with its BOM)."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from porchlight.calls.importing import run_import
from porchlight.calls.models import Call, Event, Quarantine

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "san-francisco-closed.csv"
LA = ZoneInfo("America/Los_Angeles")


@pytest.mark.django_db
def test_sf_export_makes_calls_with_every_status(agency):
    result = run_import(SAMPLE, agency, "san-francisco")

    assert result.finished and result.rows == 12
    # 12 rows; the row with no cad_number (line 8) is quarantined whole, line 7's bad received time alone.
    assert Call.objects.filter(agency=agency).count() == 11
    assert result.rejected == 6 and result.applied == result.events - 6

    call = Call.objects.get(incident_number="241360001")
    assert call.status == "cleared"
    assert call.received_at == datetime(2024, 5, 15, 0, 3, 11, tzinfo=LA)
    assert call.dispatched_at == datetime(2024, 5, 15, 0, 9, 40, tzinfo=LA)
    assert call.enroute_at == datetime(2024, 5, 15, 0, 10, 5, tzinfo=LA)
    assert call.onscene_at == datetime(2024, 5, 15, 0, 18, 33, tzinfo=LA)
    assert call.cleared_at == datetime(2024, 5, 15, 0, 47, 20, tzinfo=LA)
    assert (
        Event.objects.filter(call=call).count() == 6
    )  # received, pending (entry), dispatched, enroute, onscene, cleared
    assert (call.call_type.code, call.priority.code, call.disposition) == ("459", "A", "HAN")
    assert (call.address, call.district) == ("MISSION ST \\ 16TH ST", "MISSION")
    # intersection_point is WKT "POINT (lon lat)".
    assert (call.lat, call.lon) == (37.76505, -122.419672)
    assert Call.objects.get(incident_number="241360002").report_number == "240312345"


@pytest.mark.django_db
def test_sf_final_type_cancel_and_withheld_location(agency):
    run_import(SAMPLE, agency, "san-francisco")

    reclassified = Call.objects.get(incident_number="241360005")
    assert reclassified.call_type.code == "800"  # call_type_final wins over call_type_original
    assert reclassified.priority.code == "A"
    assert reclassified.lat is None and reclassified.address == ""  # sensitive: location withheld
    cancelled = Call.objects.get(incident_number="241360004")
    assert (cancelled.status, cancelled.disposition) == ("cancelled", "CAN")
    payload = Event.objects.get(event_id="241360008:received").payload
    assert payload["export"]["dup_cad_number"] == "241360001"


@pytest.mark.django_db
def test_sf_bad_rows_reported_by_line(agency):
    result = run_import(SAMPLE, agency, "san-francisco")

    assert [b.line for b in result.bad_rows] == [7, 8]
    assert "received_datetime '2024/02/30 01:45:00 AM'" in result.bad_rows[0].reason
    assert "cad_number (the incident number) is empty" in result.bad_rows[1].reason
    assert Quarantine.objects.filter(agency=agency, source="import").count() == 6


@pytest.mark.django_db
def test_sf_calls_are_historical(agency):
    run_import(SAMPLE, agency, "san-francisco")
    assert not Call.objects.filter(agency=agency, historical=False).exists()
    assert not Event.objects.filter(agency=agency, historical=False).exists()
