"""Quarantined import rows re-apply under a corrected mapping, without the file."""

import copy
import io
import json
from pathlib import Path

import orjson
import pytest
from django.core.management import CommandError, call_command

from porchlight.audit.models import AuditEntry
from porchlight.calls.importing.mapping import Mapping
from porchlight.calls.importing.run import run_import
from porchlight.calls.models import Call, Quarantine

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
CSV = SAMPLES / "seattle-call-data.csv"
GOOD = orjson.loads((SAMPLES / "seattle-call-data.mapping.json").read_bytes())


def _wrong():
    """The received time read from the arrival column: "Jan 1 1900" for a call never reached."""
    data = copy.deepcopy(GOOD)
    data["times"] = {"received": "Arrived Time"}
    return data


@pytest.fixture
def held(agency):
    result = run_import(CSV, agency, mapping=Mapping.from_dict("generic", _wrong()))
    assert result.finished
    rows = Quarantine.objects.filter(import_run=result.run, state=Quarantine.State.OPEN)
    lines = sorted(set(rows.values_list("line", flat=True)))
    assert lines, "the wrong mapping quarantines rows"
    return result.run, lines


@pytest.mark.django_db
def test_reapply_under_the_corrected_mapping(held, agency, tmp_path):
    run, lines = held
    before = Call.objects.filter(agency=agency).count()
    mapping = tmp_path / "fixed.json"
    mapping.write_text(json.dumps(GOOD))
    out = io.StringIO()
    call_command("import", reapply=run.pk, mapping=str(mapping), stdout=out)
    text = out.getvalue()
    assert f"{len(lines)} quarantined rows read again" in text
    # Line 5 applies now. 1899 (line 7) is implausible under any mapping, and line 3's arrival
    # is the export's "Jan 1 1900" for a call never reached: its received time applies, its
    # on-scene event stays held, with the new reason.
    assert lines == [3, 5, 7]
    assert "1 applied, 2 still rejected" in text and "line 7: event_time: 1899" in text
    still = Quarantine.objects.filter(import_run=run, state=Quarantine.State.OPEN)
    assert set(still.values_list("line", flat=True)) == {3, 7}
    assert all(q.row_enc for q in still)  # still re-appliable
    assert Call.objects.filter(agency=agency).count() == before + 2
    replayed = Quarantine.objects.filter(import_run=run, state=Quarantine.State.REPLAYED)
    assert replayed.exists() and replayed.first().resolution.startswith("re-applied under generic:")
    assert AuditEntry.objects.filter(action="import.reapply").count() == 1


@pytest.mark.django_db
def test_reapply_needs_a_mapping_and_a_run_with_held_rows(held):
    run, _ = held
    with pytest.raises(CommandError, match="--preset or --mapping"):
        call_command("import", reapply=run.pk)
    with pytest.raises(CommandError, match="no import run 999"):
        call_command("import", reapply=999, preset="seattle")


@pytest.mark.django_db
def test_a_row_longer_than_its_header_keeps_its_extra_fields(agency, tmp_path):
    path = tmp_path / "extra.csv"
    path.write_text(
        "CAD Event Number,Original Time Queued,Final Call Type\n"
        "2023-9,11/04/1899 06:08:26 PM,THEFT,one too many\n"
    )
    data = {
        "columns": {"incident_number": "CAD Event Number", "call_type": "Final Call Type"},
        "times": {"received": "Original Time Queued"},
        "time_formats": ["%m/%d/%Y %I:%M:%S %p"],
    }
    run_import(path, agency, mapping=Mapping.from_dict("generic", data))
    from porchlight.notify import pii

    rows = [orjson.loads(pii.decrypt(q.row_enc)) for q in Quarantine.objects.all()]
    assert all(r[""] == ["one too many"] for r in rows) and rows


@pytest.mark.django_db
def test_the_quarantine_detail_shows_the_export_row_and_reapplies(held, staff_client, agency):
    from porchlight.calls.models import SavedMapping

    run, _ = held
    SavedMapping.objects.create(agency=agency, name="Seattle fixed", mapping=GOOD)
    item = Quarantine.objects.filter(import_run=run, line=5).first()
    client = staff_client("admin")
    page = client.get(f"/console/quarantine/{item.pk}/").content.decode()
    assert "The export row (line 5)" in page
    assert "CAD Event Number" in page and "2023000404104" in page  # decrypted for staff
    read = AuditEntry.objects.get(action="quarantine.view_row")
    assert read.changes == {"import_run": run.pk, "line": 5}
    saved = SavedMapping.objects.get()
    r = client.post(
        f"/console/import/runs/{run.pk}/reapply/",
        {"mapping": f"saved:{saved.pk}", "next": f"/console/quarantine/{item.pk}/"},
    )
    assert r.status_code == 302 and r.url == f"/console/quarantine/{item.pk}/"
    item.refresh_from_db()
    assert item.state == Quarantine.State.REPLAYED
    entry = AuditEntry.objects.get(action="import.reapply")
    assert entry.changes["applied"] == 1
    assert (
        client.post(f"/console/import/runs/{run.pk}/reapply/", {"mapping": "x"}).status_code == 400
    )


@pytest.mark.django_db
def test_only_admins_reapply_and_only_their_agencys_runs(held, staff_client):
    run, _ = held
    client = staff_client("supervisor")
    r = client.post(f"/console/import/runs/{run.pk}/reapply/", {"mapping": "preset:seattle"})
    assert r.status_code == 403
