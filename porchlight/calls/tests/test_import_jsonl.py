"""JSON-lines history: one CadEvent a line, validated exactly as the API validates it."""

import json

import pytest

from porchlight.calls.importing import run_import
from porchlight.calls.models import Call, Event, Quarantine
from standins.builders import cad_event


@pytest.mark.django_db
def test_jsonl_events_apply_and_bad_lines_are_reported(agency, tmp_path):
    lines = [
        json.dumps(cad_event(1, incident="26-000001", status="received")),
        json.dumps(
            cad_event(2, incident="26-000001", status="cleared", at="2026-11-22T15:00:00-08:00")
        ),
        "",
        "{not json",
        json.dumps(cad_event(3, incident="26-000002", event_time="2026-11-22T14:14:00")),  # no zone
        json.dumps(cad_event(4, incident="26-000003")),
    ]
    path = tmp_path / "history.jsonl"
    path.write_text("\n".join(lines) + "\n")

    result = run_import(path, agency)

    assert (result.rows, result.applied, result.rejected) == (5, 3, 2)
    assert [b.line for b in result.bad_rows] == [4, 5]
    assert "not valid JSON" in result.bad_rows[0].reason
    assert "event_time" in result.bad_rows[1].reason
    assert Call.objects.get(incident_number="26-000001").status == "cleared"
    assert not Event.objects.filter(historical=False).exists()
    # The line that is not JSON is kept whole in the quarantine, as text.
    assert Quarantine.objects.filter(source="import").count() == 2


@pytest.mark.django_db
def test_jsonl_reimport_of_other_file_with_same_events_is_duplicate(agency, tmp_path):
    first = tmp_path / "a.jsonl"
    first.write_text(json.dumps(cad_event(1)) + "\n")
    second = tmp_path / "b.jsonl"
    second.write_text(json.dumps(cad_event(1)) + "\n\n")  # other bytes, same event
    run_import(first, agency)
    result = run_import(second, agency)
    assert (result.applied, result.duplicate) == (0, 1)
    assert Event.objects.count() == 1
