"""The new-orleans preset on samples with the published headers (2017: Type_/TimeArrive; 2019: Type/TimeArrival/Location)."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from porchlight.calls.importing import run_import
from porchlight.calls.models import Call, Event, Quarantine

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
CHICAGO = ZoneInfo("America/Chicago")


@pytest.mark.django_db
def test_2017_export_makes_calls_and_events(agency):
    result = run_import(SAMPLES / "new-orleans-2017.csv", agency, "new-orleans")

    assert result.finished and result.rows == 12
    assert (result.events, result.applied, result.rejected) == (42, 38, 4)
    assert Call.objects.filter(agency=agency).count() == 11
    assert Event.objects.filter(agency=agency, source="import").count() == 38

    call = Call.objects.get(incident_number="A0000118")
    assert call.status == "cleared"
    assert call.received_at == datetime(2017, 1, 3, 0, 4, 11, tzinfo=CHICAGO)
    assert call.dispatched_at == datetime(2017, 1, 3, 0, 15, 40, tzinfo=CHICAGO)
    assert call.onscene_at == datetime(2017, 1, 3, 0, 21, 2, tzinfo=CHICAGO)
    assert call.cleared_at == datetime(2017, 1, 3, 0, 40, 19, tzinfo=CHICAGO)
    assert (call.call_type.code, call.call_type.description) == ("62A", "BURGLAR ALARM, SILENT")
    assert (call.priority.code, call.disposition, call.beat, call.district) == (
        "2C",
        "NAT",
        "1L04",
        "1",
    )
    assert call.address == "001XX N Carrollton Ave"
    # MapX/MapY 3672150, 537810 (Louisiana South, US ft) is N Carrollton Ave at Canal St,
    # about 29.9729, -90.0977 on a map: within 200 m.
    assert call.lat == pytest.approx(29.9729, abs=2e-3)
    assert call.lon == pytest.approx(-90.0977, abs=2e-3)
    assert Event.objects.get(event_id="A0000118:cleared").payload["export"]["self_initiated"] == "N"


@pytest.mark.django_db
def test_2017_export_special_rows(agency):
    run_import(SAMPLES / "new-orleans-2017.csv", agency, "new-orleans")

    assert Call.objects.get(incident_number="A0000518").lat is None  # MapX/MapY 0: not geocoded
    voided = Call.objects.get(incident_number="A0000918")
    assert (voided.status, voided.disposition) == ("cancelled", "VOI")
    assert voided.cancelled_at is not None and voided.cleared_at is None
    # A self-initiated call has no dispatch time: no dispatched event.
    assert not Event.objects.filter(event_id="A0000218:dispatched").exists()


@pytest.mark.django_db
def test_2017_bad_rows_reported_by_line_and_quarantined(agency):
    result = run_import(SAMPLES / "new-orleans-2017.csv", agency, "new-orleans")

    assert [b.line for b in result.bad_rows] == [7, 8]
    bad_date, no_item = result.bad_rows
    assert "TimeCreate '13/45/2017 99:99:99 PM'" in bad_date.reason
    assert "received event rejected" in bad_date.reason
    assert "NOPD_Item (the incident number) is empty" in no_item.reason
    # The rest of the bad-date row still applies; the bad event is kept whole in the quarantine.
    assert Call.objects.get(incident_number="A0000618").status == "cleared"
    held = Quarantine.objects.filter(agency=agency, source="import")
    assert held.count() == 4
    assert held.get(event_id="A0000618:received").raw["event_time"] == "13/45/2017 99:99:99 PM"
    assert "event_time" in held.get(event_id="A0000618:received").reason
    assert held.filter(incident_number="").count() == 3


@pytest.mark.django_db
def test_2019_export_reads_renamed_columns_and_location(agency):
    result = run_import(SAMPLES / "new-orleans-2019.csv", agency, "new-orleans")

    assert result.rows == 10 and [b.line for b in result.bad_rows] == [7, 8]
    call = Call.objects.get(incident_number="A0000119")
    assert call.call_type.code == "62A"  # from "Type", not "Type_"
    assert call.onscene_at == datetime(2019, 1, 3, 0, 21, 2, tzinfo=CHICAGO)  # from "TimeArrival"
    assert (call.lat, call.lon) == (29.973072, -90.09738)  # Location "POINT (lon lat)", as written
    # A row with MapX/MapY but no Location falls back to converting the state-plane feet.
    converted = Call.objects.get(incident_number="A0000419")
    assert 29.85 < converted.lat < 30.10 and -90.15 < converted.lon < -89.90  # in New Orleans


@pytest.mark.django_db
def test_imported_calls_and_events_are_historical(agency):
    run_import(SAMPLES / "new-orleans-2017.csv", agency, "new-orleans")

    assert Call.objects.filter(agency=agency).exists()
    assert not Call.objects.filter(agency=agency, historical=False).exists()
    assert not Event.objects.filter(agency=agency, historical=False).exists()
