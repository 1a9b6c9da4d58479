"""A bad first mapping is never permanent: import again with a corrected mapping, or undo a run;
quarantined rows keep their export row and re-apply under the new mapping."""

import json
from io import StringIO
from pathlib import Path

import orjson
import pytest
from django.core.management import call_command

from porchlight.audit.models import AuditEntry
from porchlight.calls.importing import run_import
from porchlight.calls.importing.run import undo_run
from porchlight.calls.models import Call, Event, ImportRun, Quarantine
from porchlight.notify import pii
from standins.builders import cad_event

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SEATTLE = SAMPLES / "seattle-call-data.csv"
GOOD = json.loads(SEATTLE.with_suffix(".mapping.json").read_text())


def _mapping(tmp_path, name, **changes):
    data = {**GOOD, **changes}
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.django_db
def test_reimport_with_a_corrected_mapping_updates_without_conflicts(agency, tmp_path):
    # First try: the call type column is the call's source ("911", "ONVIEW"), no closing rule.
    wrong = _mapping(
        tmp_path, "wrong",
        columns={**GOOD["columns"], "call_type": "Call Type"}, close_without_cleared_time=None,
    )  # fmt: skip
    first = run_import(SEATTLE, agency, "generic", mapping_path=wrong)
    call = Call.objects.get(incident_number="2023000404101")
    assert call.call_type.code == "911" and call.status == "onscene"
    right = run_import(
        SEATTLE, agency, "generic", mapping_path=SEATTLE.with_suffix(".mapping.json")
    )
    assert right.conflict == 0, right.bad_rows
    call = Call.objects.get(incident_number="2023000404101")
    assert call.call_type.code == "--DISTURBANCE - OTHER" and call.status == "cleared"
    assert call.import_run == right.run
    assert Call.objects.filter(agency=agency).count() == 5
    # The old events went with the old calls: one set of events per call.
    assert not Event.objects.filter(payload__call_type="911").exists()
    assert first.run.pk != right.run.pk


@pytest.mark.django_db
def test_calls_live_events_reached_are_never_replaced(agency, tmp_path, client, api_key):
    wrong = _mapping(tmp_path, "wrong", columns={**GOOD["columns"], "call_type": "Call Type"})
    run_import(SEATTLE, agency, "generic", mapping_path=wrong)
    _, raw = api_key
    live = cad_event(1, incident="2023000404101", status="cleared", at="2023-11-04T19:00:00-08:00")
    client.post(
        "/api/v1/agencies/bakersfield/cad/events", {"events": [live]},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}",
    )  # fmt: skip
    result = run_import(
        SEATTLE, agency, "generic", mapping_path=SEATTLE.with_suffix(".mapping.json")
    )
    assert result.conflict >= 1  # reported, not silently overwritten
    assert Event.objects.filter(source="cad", call__incident_number="2023000404101").exists()


@pytest.mark.django_db
def test_undo_removes_what_one_run_created_and_is_audited(agency):
    result = run_import(
        SEATTLE, agency, "generic", mapping_path=SEATTLE.with_suffix(".mapping.json")
    )
    assert Call.objects.filter(import_run=result.run).count() == 5
    assert Quarantine.objects.filter(import_run=result.run).exists()
    out = StringIO()
    call_command("import", "--undo", str(result.run.pk), stdout=out)
    assert "5 calls" in out.getvalue()
    assert not Call.objects.filter(incident_number__startswith="2023000404").exists()
    assert not Quarantine.objects.filter(import_run=result.run).exists()
    run = ImportRun.objects.get(pk=result.run.pk)
    assert run.state == ImportRun.State.UNDONE
    entry = AuditEntry.objects.get(action="import.undo")
    assert entry.changes["calls_removed"] == 5
    with pytest.raises(Exception, match="already undone"):
        undo_run(run.pk)
    # Importing the same file again after an undo imports it afresh.
    again = run_import(
        SEATTLE, agency, "generic", mapping_path=SEATTLE.with_suffix(".mapping.json")
    )
    assert again.finished and Call.objects.filter(import_run=again.run).count() == 5


@pytest.mark.django_db
def test_quarantined_rows_keep_their_export_row_and_reapply(agency, tmp_path):
    # A mapping that reads Arrived Time with the wrong pattern: those rows are held.
    wrong = _mapping(tmp_path, "wrong", time_formats=["%m/%d/%Y %I:%M:%S %p"])
    first = run_import(SEATTLE, agency, "generic", mapping_path=wrong)
    held = Quarantine.objects.filter(import_run=first.run, state="open", line=2).get()
    row = orjson.loads(pii.decrypt(held.row_enc))
    assert row["CAD Event Number"] == "2023000404101"
    assert row["Arrived Time"] == "Nov 4 2023 06:19:02:000PM"
    second = run_import(
        SEATTLE, agency, "generic", mapping_path=SEATTLE.with_suffix(".mapping.json")
    )
    held.refresh_from_db()
    assert held.state == "replayed" and f"run {second.run.pk}" in held.resolution
    # Still bad under the new mapping (the 1900 placeholder): the old row is superseded, and
    # the new run holds its own, so each line is open once.
    open_lines = list(Quarantine.objects.filter(state="open").values_list("line", "import_run"))
    assert sorted(open_lines) == [(3, second.run.pk), (7, second.run.pk)]


@pytest.mark.django_db
def test_progress_bar_total_is_the_number_of_rows(agency, tmp_path):
    csv = tmp_path / "calls.csv"
    # A quoted line break inside a field, and no newline at the end.
    csv.write_text(
        'Inc,Opened,Note\r\nA1,2023-11-04T18:08:26,"two\r\nlines"\r\nA2,2023-11-04T18:09:00,x\r\n'
        "A3,2023-11-04T18:10:00,y"
    )
    mapping = tmp_path / "m.json"
    mapping.write_text(
        json.dumps({"columns": {"incident_number": "Inc"}, "times": {"received": "Opened"}})
    )
    bar = StringIO()
    run_import(csv, agency, "generic", mapping_path=mapping, progress=True, progress_file=bar)
    assert "3/3" in bar.getvalue() and "/4" not in bar.getvalue()
