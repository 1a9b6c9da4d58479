"""Two identical history imports at once into an empty agency give what one import gives:
the same calls, events and quarantine, and one run's counts (importing/run.py, _claim)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.db import connections

from porchlight.calls.importing import ImportResult, run_import
from porchlight.calls.models import ImportRun
from porchlight.calls.tests.test_import_staged import _history, _snapshot
from standins.builders import make_agency

COUNTS = ("rows", "applied", "duplicate", "conflict", "rejected", "bad_row_count", "last_line")


@pytest.mark.django_db(transaction=True)
def test_two_identical_imports_at_once_equal_one(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    # Shuffled history with a duplicate line, a conflicting line and two bad lines.
    path.write_text("\n".join(_history(seed=7)) + "\n")
    once = make_agency(slug="once", name="Once PD", ori="CA0150001")
    twice = make_agency(slug="twice", name="Twice PD", ori="CA0150002")
    alone = run_import(path, once, batch_rows=97)

    errors: list[BaseException] = []
    results: list[ImportResult] = []
    barrier = threading.Barrier(2)

    def together(number: int) -> None:
        # Both imports hold the run and are about to commit their first batch: from here on
        # they race for every batch.
        if number == 1:
            barrier.wait(timeout=120)

    def worker() -> None:
        try:
            results.append(run_import(path, twice, batch_rows=97, before_batch=together))
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors

    want, got = _snapshot(once), _snapshot(twice)
    # Each bad row quarantined once, not once by each import.
    assert got["quarantine"] == want["quarantine"]
    assert len(got["quarantine"]) == 3
    assert got["events"] == want["events"]
    assert got["calls"] == want["calls"]
    # Every batch committed by one of the two: their sums are one import's.
    for name in ("rows", "applied", "duplicate", "conflict", "rejected"):
        assert sum(getattr(r, name) for r in results) == getattr(alone, name), name
    assert all(r.finished for r in results)
    one, both = ImportRun.objects.get(agency=once), ImportRun.objects.get(agency=twice)
    assert [getattr(both, n) for n in COUNTS] == [getattr(one, n) for n in COUNTS]
    assert both.bad_rows == one.bad_rows and both.state == ImportRun.State.FINISHED
