"""Intake's hot path runs SQL written once: no ORM query is compiled for intake's own tables.

The planner (notify.plan) still uses the ORM for the outbox and its rules; that is its own
business. What intake reads and writes (the mapping token, codes, events, contacts, calls)
goes through calls/rows.py and calls/bulk.py, whatever the batch holds.
"""

from __future__ import annotations

from unittest.mock import patch

import pytest
from django.db.models.sql import compiler

from porchlight.calls.intake import Feed, ingest
from porchlight.calls.models import Call
from standins.builders import cad_event

INTAKE_TABLES = {
    "calls_call",
    "calls_event",
    "calls_calltype",
    "calls_mappingversion",
    "notify_contact",
    "agencies_prioritycode",
    "agencies_statuscode",
}


def compiled_tables(work) -> list[str]:
    seen: list[str] = []
    spies = []
    for cls in (compiler.SQLCompiler, compiler.SQLInsertCompiler, compiler.SQLUpdateCompiler):
        original = cls.as_sql

        def spy(self, *args, _original=original, **kwargs):
            seen.append(self.query.model._meta.db_table)
            return _original(self, *args, **kwargs)

        spies.append(patch.object(cls, "as_sql", spy))
    for s in spies:
        s.start()
    try:
        work()
    finally:
        for s in spies:
            s.stop()
    return seen


@pytest.mark.django_db
def test_a_warm_batch_compiles_no_orm_query_for_intakes_tables(agency):
    feed = Feed(agency=agency, source="cad", covered={agency.ori: agency})

    def calls(first: int, n: int, status: str, tag: int) -> list[dict]:
        return [
            cad_event(
                1000 * tag + i,
                incident=f"26-{i:06d}",
                status=status,
                caller={"phone": f"661555{i:04d}", "email": f"c{i}@example.org"},
                location={"address": "1 Main St"},
            )
            for i in range(first, first + n)
        ]

    ingest(feed, calls(0, 20, "received", 1))  # codes exist and are cached from here on
    tables = compiled_tables(
        lambda: ingest(feed, calls(0, 20, "dispatched", 2) + calls(20, 20, "received", 3))
    )
    assert not set(tables) & INTAKE_TABLES, tables
    assert Call.objects.filter(status="dispatched").count() == 20
    assert Call.objects.count() == 40
