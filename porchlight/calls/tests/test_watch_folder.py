"""The drop folder: files in, moved aside, nothing applied twice."""

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from porchlight.calls.importing import drop, presets
from porchlight.calls.importing.drop import DropFolder, snapshot
from porchlight.calls.models import Call, DropFile, Event, Quarantine
from standins.builders import cad_event

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def watch_once(folder, agency, *extra):
    out = StringIO()
    call_command(
        "watch", str(folder), "--agency", agency.slug, "--once", "--settle", "0", *extra, stdout=out
    )
    return out.getvalue()


def write_json(path, events):
    path.write_text(json.dumps({"events": events}))


@pytest.mark.django_db
def test_json_jsonl_and_csv_are_processed_and_moved(agency, tmp_path):
    write_json(
        tmp_path / "a.json",
        [cad_event(1, incident="26-000001"), cad_event(2, incident="26-000002")],
    )
    (tmp_path / "b.jsonl").write_text(json.dumps(cad_event(3, incident="26-000003")) + "\n")
    shutil.copy(SAMPLES / "san-francisco-closed.csv", tmp_path / "sf.csv")

    out = watch_once(tmp_path, agency, "--preset", "san-francisco")

    assert "a.json: processed, 2 applied" in out and "b.jsonl: processed, 1 applied" in out
    assert "sf.csv: processed" in out
    assert sorted(p.name for p in (tmp_path / "processed").iterdir()) == [
        "a.json",
        "b.jsonl",
        "sf.csv",
    ]
    assert not list(tmp_path.glob("*.*"))
    assert Call.objects.count() == 3 + 11
    # The drop folder is a live feed under its own source name, not history.
    assert set(Event.objects.values_list("source", flat=True)) == {"drop"}
    assert not Event.objects.filter(historical=True).exists()
    # Bad events inside a readable file are quarantined by intake as usual.
    assert Quarantine.objects.filter(source="drop").count() == 6
    assert DropFile.objects.filter(state="applied").count() == 3


@pytest.mark.django_db
def test_temporary_names_and_dotfiles_are_left_alone(agency, tmp_path):
    for name in (".hidden.json", "upload.json.tmp", "upload.json.part", "upload.json.filepart"):
        write_json(tmp_path / name, [cad_event(1)])
    watch_once(tmp_path, agency)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".hidden.json",
        "upload.json.filepart",
        "upload.json.part",
        "upload.json.tmp",
    ]
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_file_still_growing_is_not_taken(agency, tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_text(json.dumps(cad_event(1)) + "\n")
    before = snapshot(tmp_path)
    with path.open("a") as f:
        f.write(json.dumps(cad_event(2)) + "\n")
    now = snapshot(tmp_path)
    assert drop.settled(before, now) == []
    assert DropFolder(tmp_path, agency).process_settled(before, now) == []
    assert drop.settled(now, snapshot(tmp_path)) == ["big.jsonl"]


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("broken.json", "{not json", "not valid JSON"),
        ("list.json", "[1, 2]", '"events" list'),
        ("empty.json", '{"events": []}', "empty"),
        ("garbage.jsonl", "not json\nat all\n", "no line of the file is valid JSON"),
        ("notes.txt", "hello", "not a file type"),
        ("calls.csv", "a,b\n1,2\n", "needs a preset"),
    ],
)
@pytest.mark.django_db
def test_unreadable_file_is_rejected_with_reason(agency, tmp_path, name, content, reason):
    (tmp_path / name).write_text(content)
    out = watch_once(tmp_path, agency)
    assert f"{name}: rejected" in out
    assert (tmp_path / "rejected" / name).read_text() == content
    assert reason in (tmp_path / "rejected" / f"{name}.reason.txt").read_text()
    assert not (tmp_path / name).exists() and not Event.objects.exists()


@pytest.mark.django_db
def test_csv_with_wrong_header_for_the_preset_is_rejected(agency, tmp_path):
    shutil.copy(SAMPLES / "san-francisco-closed.csv", tmp_path / "sf.csv")
    watch_once(tmp_path, agency, "--preset", "new-orleans")
    assert "NOPD_Item" in (tmp_path / "rejected" / "sf.csv.reason.txt").read_text()


@pytest.mark.django_db
def test_same_file_twice_is_not_applied_again(agency, tmp_path):
    events = [cad_event(1, incident="26-000001"), cad_event(2, incident="26-000002")]
    write_json(tmp_path / "export.json", events)
    watch_once(tmp_path, agency)
    write_json(tmp_path / "export.json", events)  # the CAD sends the same export again
    write_json(tmp_path / "copy.json", events)

    out = watch_once(tmp_path, agency)

    assert "export.json: duplicate" in out and "copy.json: duplicate" in out
    assert sorted(p.name for p in (tmp_path / "duplicates").iterdir()) == [
        "copy.json",
        "export.json",
    ]
    assert Event.objects.count() == 2 and DropFile.objects.count() == 1
    assert not Quarantine.objects.exists()


@pytest.mark.django_db
def test_crash_between_applying_and_moving_does_not_apply_twice(agency, tmp_path, monkeypatch):
    write_json(tmp_path / "a.json", [cad_event(1)])
    real_move = DropFolder._move

    def crash(self, path, subfolder):
        raise SystemExit("killed")

    monkeypatch.setattr(DropFolder, "_move", crash)
    with pytest.raises(SystemExit):
        watch_once(tmp_path, agency)
    assert (tmp_path / "a.json").exists() and Event.objects.count() == 1

    monkeypatch.setattr(DropFolder, "_move", real_move)
    out = watch_once(tmp_path, agency)

    assert "a.json: processed (applied earlier; moved now)" in out
    assert (tmp_path / "processed" / "a.json").exists()
    assert Event.objects.count() == 1 and not Quarantine.objects.exists()


@pytest.mark.django_db
def test_intake_itself_is_idempotent_if_the_file_record_is_lost(agency, tmp_path):
    # Belt and braces: even without the DropFile row, the events are duplicates, not new rows.
    folder = tmp_path / "drop"
    folder.mkdir()
    events = [cad_event(1), cad_event(2, status="cleared", at="2026-11-22T15:00:00-08:00")]
    write_json(folder / "a.json", events)
    watch_once(folder, agency)
    DropFile.objects.all().delete()
    write_json(folder / "again.json", events)

    out = watch_once(folder, agency)

    assert "again.json: processed, 0 applied, 2 duplicate" in out
    assert Event.objects.count() == 2


@pytest.mark.django_db
def test_own_source_name(agency, tmp_path):
    write_json(tmp_path / "a.json", [cad_event(1)])
    watch_once(tmp_path, agency, "--source", "sftp-east")
    assert Event.objects.get().source == "sftp-east"


@pytest.mark.django_db
def test_once_exits_and_bad_arguments_are_errors(agency, tmp_path):
    assert watch_once(tmp_path, agency) == ""  # an empty folder: one pass, then return
    with pytest.raises(CommandError, match="not a directory"):
        watch_once(tmp_path / "nope", agency)
    with pytest.raises(CommandError, match="--mapping"):
        watch_once(tmp_path, agency, "--preset", presets.GENERIC)
