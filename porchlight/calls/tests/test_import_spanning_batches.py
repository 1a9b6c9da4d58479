"""A call whose events span two import batches keeps them all.

The re-import check (importing/run.py `_replace_changed`) used to take the first batch's call
for one a corrected mapping had changed, delete it with its events, and make it again from the
second batch's events alone: the earlier events were lost.
"""

import json

import pytest

from porchlight.calls.importing import run_import
from porchlight.calls.models import Call, Event
from standins.builders import cad_event


@pytest.mark.django_db
def test_events_of_one_call_in_two_batches_are_all_kept(agency, tmp_path):
    path = tmp_path / "h.jsonl"
    path.write_text(
        json.dumps(cad_event(1, incident="26-000001", status="received"))
        + "\n"
        + json.dumps(
            cad_event(2, incident="26-000001", status="dispatched", at="2026-11-22T14:20:00-08:00")
        )
        + "\n"
    )
    result = run_import(path, agency, batch_rows=1)
    assert result.applied == 2
    call = Call.objects.get(agency=agency, incident_number="26-000001")
    assert sorted(Event.objects.filter(call=call).values_list("status", flat=True)) == [
        "dispatched",
        "received",
    ]
    assert call.status == "dispatched" and call.received_at is not None
