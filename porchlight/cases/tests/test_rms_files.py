"""`porchlight import --kind rms` and the drop folder with `--kind rms`: RMS intake's rules."""

import copy
from io import StringIO

import orjson
import pytest
from django.core.management import CommandError, call_command

from porchlight.calls.models import Quarantine
from porchlight.cases.models import Case, Term
from porchlight.cases.schemas import EXAMPLE_BATCH


def events():
    first = copy.deepcopy(EXAMPLE_BATCH["events"][0])
    second = dict(first, event_id="rms-2", status="CLS", event_time="2026-11-23T10:00:00-08:00")
    unmapped = dict(first, event_id="rms-3", case_number="BPD26-9", status="WHAT")
    return [second, first, unmapped]


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_import_jsonl_applies_in_rms_time_order_and_quarantines_the_unmapped(statuses, tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(e) for e in events()) + b"\n{broken\n")
    out = run("import", str(path), "--agency", "bakersfield", "--kind", "rms")
    assert "3 RMS events: 2 applied, 0 duplicate, 0 conflict, 1 rejected" in out
    assert "line 4: not valid JSON" in out and "'WHAT' is not mapped" in out
    assert Case.objects.get().term == Term.CLOSED
    assert Quarantine.objects.get().source == "rms-import"
    again = run("import", str(path), "--agency", "bakersfield", "--kind", "rms")
    assert "0 applied, 2 duplicate" in again


@pytest.mark.django_db
def test_import_refuses_an_unreadable_file(agency, tmp_path):
    path = tmp_path / "cases.json"
    path.write_text('{"rows": []}')
    with pytest.raises(CommandError, match="events"):
        run("import", str(path), "--agency", "bakersfield", "--kind", "rms")


@pytest.mark.django_db
def test_the_drop_folder_takes_rms_files(statuses, tmp_path):
    (tmp_path / "export.json").write_bytes(orjson.dumps({"events": events()}))
    out = run("watch", str(tmp_path), "--agency", "bakersfield", "--kind", "rms", "--once",
              "--settle", "0", "--source", "rms-drop")  # fmt: skip
    assert "export.json: processed, 2 applied, 0 duplicate, 0 conflict, 1 rejected" in out
    assert Case.objects.get().term == Term.CLOSED
    assert (tmp_path / "processed" / "export.json").exists()
    with pytest.raises(CommandError, match="preset"):
        run("watch", str(tmp_path), "--agency", "bakersfield", "--kind", "rms", "--once",
            "--preset", "generic")  # fmt: skip
