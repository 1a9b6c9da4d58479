"""History import's staged path (PostgreSQL: COPY into a staging table, one set-based merge)
gives exactly what ingest() gives, row for row; re-import adds nothing; bad rows are kept.

The same file goes into two agencies: one through the path this database takes, one forced
through ingest(). On SQLite both are ingest() (the staged path is PostgreSQL's), so there the
test checks idempotency and the quarantine only.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from porchlight.calls.importing import run_import, staged
from porchlight.calls.intake import Feed, ingest
from porchlight.calls.models import Call, Event, Quarantine
from porchlight.calls.simulator import Simulator
from porchlight.notify.models import Contact, Outbox
from standins.builders import cad_event, make_agency

SKIP_CALL = {"id", "agency", "created", "updated", "import_run"}


def _history(seed: int) -> list[str]:
    """A day of simulated CAD, shuffled (older events arrive after newer ones, across chunks),
    with fields changed on later events, ties, both closings on one call, and bad lines."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 2, 8, tzinfo=UTC)  # fixed: the arrival rate follows the hour
    events = Simulator(seed=seed, start=start, run_id=f"s{seed}").run(10)
    for i, event in enumerate(events):
        roll = rng.random()
        if event["status"] != "received" and roll < 0.2:
            event["location"] = {"address": f"{i} Later St", "beat": "" if i % 2 else "B99"}
            event["disposition"] = rng.choice(["", "REPORT", "GOA"])
        elif roll < 0.3:
            event["caller"] = {
                "phone": f"661-555-{rng.randrange(100, 200):04d}",
                "language": rng.choice(["es", "en_US", ""]),
                "do_not_contact": rng.random() < 0.3,
            }
            event["juvenile"] = rng.random() < 0.2
        elif roll < 0.35 and event["status"] in ("cleared", "cancelled"):
            event["cleared_time_unknown"] = True
            event["report_number"] = f"R{i}"
        elif roll < 0.38:
            event["units"] = [{"id": f"U{i}", "officers": [{"id": f"O{i}", "name": "Ofc"}]}]
            event["priority"] = rng.choice(["1", "2", "P9"])  # P9: unknown, created unranked
        elif roll < 0.4:
            event["call_type"] = "ODDTYPE"
    # Both closings on some calls, and a tie in CAD time.
    for event in events[5:200:40]:
        twin = dict(event, event_id=event["event_id"] + "-c", status="cancelled")
        twin["cleared_time_unknown"] = True
        events.append(twin)
    rng.shuffle(events)
    lines = [json.dumps(e) for e in events]
    # An exact duplicate, a conflict (same id, other content), an unknown status, a bad time.
    lines.insert(50, lines[10])
    conflicting = json.loads(lines[20])
    conflicting["disposition"] = "CHANGED"
    lines.insert(300, json.dumps(conflicting))
    lines.insert(120, json.dumps(dict(json.loads(lines[30]), event_id="bad-1", status="ZZZ")))
    lines.insert(121, json.dumps(cad_event(9001, incident="26-999999", event_time="yesterday")))
    return lines


def _snapshot(agency: Any) -> dict[str, Any]:
    contacts = {c.pk: (c.channel, c.address_hash) for c in Contact.objects.filter(agency=agency)}
    calls = {}
    for call in Call.objects.filter(agency=agency).select_related("call_type", "priority"):
        row = {
            f.name: getattr(call, f.attname)
            for f in Call._meta.concrete_fields
            if f.name not in SKIP_CALL
        }
        row["call_type"] = call.call_type.code if call.call_type else None
        row["priority"] = call.priority.code if call.priority else None
        row["caller_phone"] = contacts.get(call.caller_phone_id)
        row["caller_email"] = contacts.get(call.caller_email_id)
        calls[call.incident_number] = row
    events = [
        (e.call.incident_number, e.event_id, e.content_hash, e.status, e.event_time, e.payload)
        for e in Event.objects.filter(agency=agency).select_related("call").order_by("id")
    ]
    quarantine = sorted(
        (q.line, q.kind, q.reason, q.event_id) for q in Quarantine.objects.filter(agency=agency)
    )
    return {"calls": calls, "events": events, "quarantine": quarantine}


def _counts(result: Any) -> tuple[int, ...]:
    return (result.rows, result.applied, result.duplicate, result.conflict, result.rejected)


@pytest.mark.django_db(transaction=True)
def test_staged_import_matches_ingest_and_reimport_adds_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = _history(seed=7)
    path = tmp_path / "history.jsonl"
    path.write_text("\n".join(lines) + "\n")
    fast = make_agency(slug="fast", name="Fast PD", ori="CA0150001")
    slow = make_agency(slug="slow", name="Slow PD", ori="CA0150002")

    # Small chunks, so calls span chunks and the merge meets calls made by earlier ones.
    result = run_import(path, fast, batch_rows=97)
    with monkeypatch.context() as m:
        m.setattr(staged, "usable", lambda: False)
        expected = run_import(path, slow, batch_rows=97)

    assert _counts(result) == _counts(expected)
    assert result.applied > 700 and result.conflict == 1 and result.rejected == 2
    assert [str(b) for b in result.bad_rows] == [str(b) for b in expected.bad_rows]
    got, want = _snapshot(fast), _snapshot(slow)
    assert got["quarantine"] == want["quarantine"]
    assert len(got["quarantine"]) == 3  # the conflict, the unknown status, the bad time
    assert got["events"] == want["events"]
    assert got["calls"].keys() == want["calls"].keys()
    for number, call in want["calls"].items():
        assert got["calls"][number] == call, number
    # History never texts anyone.
    assert not Outbox.objects.filter(agency__in=[fast, slow]).exists()

    # The same events in a file of other bytes (without the conflicting line, which would read
    # as a corrected mapping and replace its call): all duplicates, nothing new.
    again = tmp_path / "again.jsonl"
    again.write_text("\n".join(line for line in lines if "CHANGED" not in line) + "\n\n")
    before = Event.objects.filter(agency=fast).count()
    second = run_import(again, fast, batch_rows=500)
    assert second.applied == 0
    assert second.duplicate == result.applied + 1  # the exact duplicate line too
    assert Event.objects.filter(agency=fast).count() == before
    assert _snapshot(fast)["calls"] == got["calls"]


@pytest.mark.django_db(transaction=True)
def test_history_reaching_a_live_call_goes_through_ingest(tmp_path: Path) -> None:
    """A live call is where texts come from: a chunk that reaches one is applied by ingest(),
    so the call ends as ingest() leaves it and stays live."""
    agency = make_agency(slug="live", name="Live PD", ori="CA0150003")
    live = Feed(agency=agency, source="cad", covered={agency.ori: agency})
    ingest(live, [cad_event(1, incident="26-000500", status="received")])
    path = tmp_path / "h.jsonl"
    path.write_text(
        json.dumps(
            cad_event(2, incident="26-000500", status="dispatched", at="2026-11-22T14:20:00-08:00")
        )
        + "\n"
        + json.dumps(cad_event(3, incident="26-000501", status="received"))
        + "\n"
    )
    result = run_import(path, agency)
    assert result.applied == 2
    call = Call.objects.get(agency=agency, incident_number="26-000500")
    assert (call.status, call.historical) == ("dispatched", False)
    assert Call.objects.get(agency=agency, incident_number="26-000501").historical


@pytest.mark.django_db(transaction=True)
def test_calls_created_by_someone_else_after_the_lock_are_merged_into(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chunk's new calls are inserted already folded. One that another import created after
    the chunk locked its calls (simulated: the lock does not see every other existing call) is
    left out of that insert and merged into like a call that existed: the same calls, events
    and quarantine as ingest() gives. (SQLite imports through ingest(), whose lock is left
    alone: there the two imports simply agree.)"""
    lines = _history(seed=11)
    path = tmp_path / "history.jsonl"
    path.write_text("\n".join(lines) + "\n")
    fast = make_agency(slug="fast", name="Fast PD", ori="CA0150001")
    slow = make_agency(slug="slow", name="Slow PD", ori="CA0150002")
    real_lock = staged.rows.lock_calls
    hidden: list[str] = []

    def lock_missing_some(agency_id: int, numbers: list[str]) -> dict[str, Any]:
        found = real_lock(agency_id, numbers)
        if set(numbers) <= set(hidden[-len(numbers) :]):  # the race's second lock: real
            return found
        late = sorted(found)[::2]
        hidden.extend(late)
        return {n: c for n, c in found.items() if n not in late}

    with monkeypatch.context() as m:
        if staged.usable():
            m.setattr(staged.rows, "lock_calls", lock_missing_some)
        result = run_import(path, fast, batch_rows=97)
    with monkeypatch.context() as m:
        m.setattr(staged, "usable", lambda: False)
        expected = run_import(path, slow, batch_rows=97)

    assert len(hidden) > 20 or not staged.usable()
    assert _counts(result) == _counts(expected)
    got, want = _snapshot(fast), _snapshot(slow)
    assert got["quarantine"] == want["quarantine"]
    assert got["events"] == want["events"]
    assert got["calls"] == want["calls"]
