"""`porchlight import FILE --check`: the whole file read through the mapping, nothing written."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from porchlight.agencies.models import PriorityCode
from porchlight.audit.models import AuditEntry
from porchlight.calls.models import Call, CallType, Event, ImportRun, Quarantine

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SEATTLE = SAMPLES / "seattle-call-data.csv"


def check(agency, path=SEATTLE, mapping=None):
    out = StringIO()
    call_command(
        "import", str(path), "--agency", agency.slug, "--preset", "generic",
        "--mapping", str(mapping or path.with_suffix(".mapping.json")), "--check", stdout=out,
    )  # fmt: skip
    return out.getvalue()


def _counts():
    return (
        Call.objects.count(), Event.objects.count(), Quarantine.objects.count(),
        ImportRun.objects.count(), CallType.objects.count(), PriorityCode.objects.count(),
        AuditEntry.objects.count(),
    )  # fmt: skip


@pytest.mark.django_db
def test_check_reports_and_writes_nothing(agency):
    before = _counts()
    out = check(agency)
    assert _counts() == before
    assert "6 rows" in out and "Nothing was written" in out
    # The first rows as they would be stored, closing event included.
    assert '"incident_number":"2023000404101"' in out
    assert '"cleared_time_unknown":true' in out
    # Rejections by reason code, with the first line and reason.
    assert "time_too_early" in out and "(line 3: Arrived Time: 1900-01-01" in out
    # Distinct values, and the ones not mapped yet.
    assert "--DISTURBANCE - OTHER  (not mapped)" in out
    assert "Priorities: 5 distinct, 1 not mapped yet" in out and "9Z  (not mapped)" in out
    assert "DUPLICATED OR CANCELLED BY RADIO" in out
    assert "Statuses: none in the file" in out


@pytest.mark.django_db
def test_check_says_which_status_words_are_unmapped(agency, tmp_path):
    csv = tmp_path / "calls.csv"
    csv.write_text(
        "Inc,Opened,State\nA1,2023-11-04T18:08:26,Closed\nA2,2023-11-04T18:09:00,Pending Review\n"
    )
    mapping = tmp_path / "m.json"
    mapping.write_text(
        json.dumps(
            {
                "columns": {"incident_number": "Inc", "status": "State"},
                "times": {"received": "Opened"},
                "values": {"status": {"closed": "cleared"}},
            }
        )
    )
    out = check(agency, csv, mapping)
    assert "Statuses: 2 distinct, 1 not mapped yet" in out
    assert "Pending Review  (not mapped)" in out and "Closed  (not mapped)" not in out
    assert "import_unmapped_value" in out


@pytest.mark.django_db
def test_ambiguous_dates_need_a_date_order(agency, tmp_path):
    csv = tmp_path / "calls.csv"
    csv.write_text("Inc,Date,Time\nA1,03/04/2023,18:08\nA2,03/14/2023,09:00\n")
    mapping = {
        "columns": {"incident_number": "Inc"},
        "times": {"received": {"date": "Date", "time": "Time"}},
    }
    path = tmp_path / "m.json"
    path.write_text(json.dumps(mapping))
    out = check(agency, csv, path)
    assert "import_ambiguous_time" in out and 'set "date_order"' in out
    assert "import_bad_time" in out  # 03/14 is not ambiguous, but no pattern reads it either
    path.write_text(json.dumps({**mapping, "date_order": "day_first"}))
    out = check(agency, csv, path)
    assert '"event_time":"2023-04-03T18:08:00-07:00"' in out  # 3 April, Pacific daylight time
    path.write_text(json.dumps({**mapping, "date_order": "month_first"}))
    out = check(agency, csv, path)
    assert '"event_time":"2023-03-04T18:08:00-08:00"' in out
    assert "No row would be rejected." in out


def test_import_help_works_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORCHLIGHT_")}
    env["DJANGO_SETTINGS_MODULE"] = "porchlight.settings"
    done = subprocess.run(
        [sys.executable, "-m", "porchlight.cli", "import", "--help"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "--check" in done.stdout and "--undo" in done.stdout
