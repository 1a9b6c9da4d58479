"""Two real published layouts, imported with a mapping only (sample rows are invented):

- Seattle Police "Call Data" (data.seattle.gov 33kz-ixgy; its eleven documented columns, plus
  blurred coordinates as Blurred_Longitude/Blurred_Latitude): local times like
  `11/04/2023 06:08:26 PM`, a text "Arrived Time" whose blank is `Jan 1 1900 12:00:00:000AM`,
  long call types, a final type that falls back to the initial one, blurred coordinates, a
  clearance description and no cleared time;
- LAPD "Calls for Service" (data.lacity.org, e.g. xwgr-xw5q for 2015): the date and the time
  of dispatch in two columns.
"""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from porchlight.agencies.models import PriorityCode
from porchlight.calls.importing import run_import
from porchlight.calls.models import Call, CallType, Quarantine

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SEATTLE = SAMPLES / "seattle-call-data.csv"
LAPD = SAMPLES / "lapd-calls-for-service.csv"
PACIFIC = ZoneInfo("America/Los_Angeles")


def _seattle(agency):
    return run_import(SEATTLE, agency, "generic", mapping_path=SEATTLE.with_suffix(".mapping.json"))


@pytest.mark.django_db
def test_seattle_long_types_close_without_a_cleared_time(agency):
    result = _seattle(agency)
    assert result.finished and result.rows == 6
    call = Call.objects.get(incident_number="2023000404101")
    assert call.call_type.code == "--DISTURBANCE - OTHER"
    assert call.received_at == datetime(2023, 11, 4, 18, 8, 26, tzinfo=PACIFIC)
    assert call.onscene_at == datetime(2023, 11, 4, 18, 19, 2, tzinfo=PACIFIC)
    # No cleared time in the export: closed at the last time the row gives, and marked.
    assert call.status == "cleared" and call.cleared_time_unknown
    assert call.cleared_at == call.onscene_at
    assert call.disposition == "REPORT WRITTEN (NO ARREST)"
    assert (call.lat, call.lon) == (47.702, -122.341)
    assert call.historical
    long = Call.objects.get(incident_number="2023000404102")
    assert long.call_type.code == "SUSPICIOUS PERSON, VEHICLE OR INCIDENT"
    # A blank final type falls back to the initial one.
    fallback = Call.objects.get(incident_number="2023000404103")
    assert fallback.call_type.code == "--ASSAULTS - HARASSMENT"
    # A disposition the mapping lists as a cancellation cancels the call, even with no cleared time.
    cancelled = Call.objects.get(incident_number="2023000404104")
    assert cancelled.status == "cancelled" and cancelled.cleared_time_unknown
    assert cancelled.cancelled_at == datetime(2023, 11, 4, 19, 40, 13, tzinfo=PACIFIC)
    # Sensitive by name, from an import too.
    assert cancelled.call_type.sensitive and cancelled.call_type.sensitive_term == "suicide"


@pytest.mark.django_db
def test_seattle_implausible_times_are_rejected_by_line_with_the_reason(agency):
    result = _seattle(agency)
    bad = {b.line: b.reason for b in result.bad_rows}
    # "Jan 1 1900" is the export's blank arrival: rejected, never stored; the call still applies.
    assert "Arrived Time: 1900-01-01T00:00:00-08:00 is before 1990-01-01" in bad[3]
    assert Call.objects.get(incident_number="2023000404102").onscene_at is None
    # A row whose only time is implausible makes no call.
    assert "before 1990-01-01" in bad[7]
    assert not Call.objects.filter(incident_number="2023000404106").exists()
    assert Quarantine.objects.filter(incident_number="2023000404106").exists()


@pytest.mark.django_db
def test_seattle_priority_ranks_come_from_the_mapping(agency):
    PriorityCode.objects.filter(agency=agency, code="7").delete()
    PriorityCode.objects.update_or_create(agency=agency, code="1", defaults={"rank": 3})
    _seattle(agency)
    assert PriorityCode.objects.get(agency=agency, code="7").rank == 7
    assert PriorityCode.objects.get(agency=agency, code="1").rank == 3  # staff's rank stands
    assert PriorityCode.objects.get(agency=agency, code="9Z").rank is None  # not mapped: flagged
    assert Call.objects.get(incident_number="2023000404105").needs_mapping


@pytest.mark.django_db
def test_lapd_date_and_time_columns_combine(agency):
    result = run_import(LAPD, agency, "generic", mapping_path=LAPD.with_suffix(".mapping.json"))
    call = Call.objects.get(incident_number="160311000621")
    assert call.dispatched_at == datetime(2016, 3, 11, 4, 57, 44, tzinfo=PACIFIC)
    assert call.status == "cleared" and call.cleared_time_unknown
    assert CallType.objects.get(agency=agency, code="9212").description == "TRESPASS SUSP"
    assert (
        Call.objects.get(incident_number="160311000622").dispatched_at.astimezone(PACIFIC).hour
        == 23
    )
    bad = {b.line: b.reason for b in result.bad_rows}
    assert "Dispatch_Time" in bad[4] and not Call.objects.filter(incident_number="160311000623")
    assert "Dispatch_Date" in bad[5]
    assert sorted(bad) == [4, 5]
