"""The intake hot path's reads, as SQL written once: no ORM query compilation, no Model.__init__.

Each statement's text is fixed whatever the batch's size: a list of keys is one parameter,
`= ANY(%s::text[])` over an array literal on PostgreSQL, `IN (SELECT value FROM json_each(%s))`
over a JSON array on SQLite. On PostgreSQL they run on a plain psycopg cursor bound in binary
(as `bulk.py` does, for the same reason: Django's client-side binding quotes every element into
the SQL text).

Calls come back as `Call` objects because notify's planner reads them by attribute (and
`is_final`), but they are filled from the row's tuple directly (`__new__` and the instance
dict): no field descriptors, no signals. Measured: ~1 µs a call against ~25 µs for
`Model.__init__` with its 33 fields.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from django.db import connection, models
from django.db.models.base import ModelState

from porchlight.calls import bulk
from porchlight.calls.models import Call

# Every concrete column of a call, the primary key first.
_CALL_COLUMNS = [str(f.column) for f in Call._meta.concrete_fields]
_CALL_ATTNAMES = [f.attname for f in Call._meta.concrete_fields]
# The same, as bulk.insert(returning=...) takes them.
CALL_COLUMN_NAMES = tuple(_CALL_ATTNAMES)


def _in(column: str) -> str:
    """`column` is one of the values of a list parameter (see `_list`)."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::text[])"
    return f"{column} IN (SELECT value FROM json_each(%s))"


def _list(values: Collection[str]) -> str:
    """The keys as ONE text parameter: an array literal on PostgreSQL, JSON on SQLite.

    A Python list went to psycopg as a typed array, dumped element by element in Python (5 %
    of a history import's Python CPU for the known-events read alone; docs/performance.md,
    fourth pass). The literal is one `join` in C. It is cast in SQL, so the planner still sees
    a constant array (and hashes it); an array unpacked from JSON by a sub-select is a run-time
    parameter instead, searched linearly for each row: 2 s, not 10 ms, for 5,000 ids against
    20,000 stored events (EXPLAIN ANALYZE)."""
    if connection.vendor != "postgresql":
        return orjson.dumps(list(values)).decode()
    if not values:
        return "{}"
    literal = '{"' + '","'.join(values) + '"}'
    if literal.count('"') != 2 * len(values) or "\\" in literal:
        # A quote or backslash inside a key (rare): escaped one by one.
        return "{" + ",".join(_quoted(v) for v in values) + "}"
    return literal


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    if connection.vendor == "postgresql":
        return bulk.fetch_pg(sql, params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@functools.cache
def _known_sql(vendor: str) -> str:
    return (
        "SELECT event_id, content_hash FROM calls_event "
        f"WHERE agency_id = %s AND source = %s AND {_in('event_id')}"
    )


def known_events(agency_id: int, source: str, event_ids: Collection[str]) -> dict[str, str]:
    """Content hashes of the events of these ids already in the log, by event id."""
    if not event_ids:
        return {}
    rows = _fetch(_known_sql(connection.vendor), [agency_id, source, _list(event_ids)])
    return dict(rows)  # type: ignore[arg-type]


@functools.cache
def _contacts_sql(vendor: str) -> str:
    return (
        "SELECT id, channel, address_hash FROM notify_contact "
        f"WHERE agency_id = %s AND {_in('address_hash')}"
    )


def contact_ids(agency_id: int, hashes: Collection[str]) -> dict[tuple[str, str], int]:
    """Contact ids by (channel, address hash)."""
    if not hashes:
        return {}
    rows = _fetch(_contacts_sql(connection.vendor), [agency_id, _list(hashes)])
    return {(ch, h): pk for pk, ch, h in rows}


@functools.cache
def _calls_sql(vendor: str) -> str:
    lock = " FOR UPDATE" if vendor == "postgresql" else ""
    # No join: when FOR UPDATE waits for a concurrent update of a call, PostgreSQL re-checks
    # the new row version but not outer-joined rows, which then come back NULL (seen under
    # load). The codes the calls point at come from the agency's codebook.
    return (
        f"SELECT {', '.join(_CALL_COLUMNS)} FROM calls_call "
        f"WHERE agency_id = %s AND {_in('incident_number')} ORDER BY incident_number{lock}"
    )


def lock_calls(agency_id: int, numbers: Sequence[str]) -> dict[str, Call]:
    """The agency's calls of these incident numbers, locked FOR UPDATE in incident order (so
    concurrent batches queue on them in the same order; SQLite's IMMEDIATE transaction already
    excludes other writers)."""
    if not numbers:
        return {}
    rows = _fetch(_calls_sql(connection.vendor), [agency_id, _list(numbers)])
    return {c.incident_number: c for c in map(call_from_row, rows)}


@functools.cache
def _readers(vendor: str) -> list[Any]:
    """How each column of a call read by raw SQL becomes the value the ORM would give."""

    def reader(field: models.Field[Any, Any]) -> Any:
        if isinstance(field, models.JSONField):
            # Both engines hand jsonb/JSON text back as text to raw cursors under Django.
            return lambda v: orjson.loads(v) if isinstance(v, (str, bytes)) else v
        if isinstance(field, models.DateTimeField) and vendor == "sqlite":
            # Django's SQLite converter parses the stored UTC text to a naive datetime.
            return lambda v: v.replace(tzinfo=UTC) if isinstance(v, datetime) else v
        if isinstance(field, models.BooleanField) and vendor == "sqlite":
            return lambda v: v if v is None else bool(v)
        return None

    return [reader(f) for f in Call._meta.concrete_fields]


def call_from_row(row: Sequence[Any]) -> Call:
    """A Call filled from a row of `_CALL_COLUMNS`, without Model.__init__."""
    values = [
        v if r is None else r(v) for r, v in zip(_readers(connection.vendor), row, strict=True)
    ]
    call = Call.__new__(Call)
    call.__dict__.update(zip(_CALL_ATTNAMES, values, strict=True))
    state = ModelState()
    state.adding, state.db = False, connection.alias
    call._state = state
    return call


@functools.cache
def _stored_sql(vendor: str) -> str:
    return (
        "SELECT e.call_id, c.incident_number, c.historical, e.event_id, e.content_hash, "
        "c.import_run_id "
        "FROM calls_event e JOIN calls_call c ON c.id = e.call_id "
        f"WHERE e.agency_id = %s AND e.source = %s AND {_in('c.incident_number')}"
    )


def stored_events(
    agency_id: int, source: str, numbers: Collection[str]
) -> list[tuple[int, str, bool, str, str, int | None]]:
    """(call id, incident number, call is historical, event id, content hash, the import run
    that created the call) of every event this source stored for the agency's calls of these
    incident numbers (history import's re-import check)."""
    if not numbers:
        return []
    rows = _fetch(_stored_sql(connection.vendor), [agency_id, source, _list(numbers)])
    return [
        (cid, number, bool(hist), eid, digest, run) for cid, number, hist, eid, digest, run in rows
    ]
