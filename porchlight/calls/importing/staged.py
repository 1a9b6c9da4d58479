"""History import's fast path on PostgreSQL: a chunk COPYed into a staging table, merged in SQL.

`ingest()` folds events into calls one at a time in Python and writes them back; for a history
file of millions of rows that fold, and building a Call per incident, is most of the cost. Here
a chunk of a history file is applied as follows, in the import's transaction:

1. In Python, exactly as `ingest()` does (the same functions): validate, route by ORI, map the
   statuses, sort out duplicates and conflicts against the log, find or create call types,
   priority codes and contacts. Rejections and conflicts come back as outcomes, for the
   import's quarantine.
2. The agency's existing calls for the chunk's incidents are locked in incident order. If any
   of them is a live call (not history), the chunk goes through `ingest()` instead: live calls
   are where texts come from, and only `ingest()` plans them.
3. The fresh events, one row each with their values already in column form, are written to a
   temporary staging table with `COPY … FROM STDIN` in binary format.
4. ONE `INSERT INTO calls_call … SELECT (aggregate of the staging rows)` creates the chunk's new
   calls already folded (written once, not created empty and then updated), and ONE
   `UPDATE … FROM (aggregate)` folds the events of calls that existed into them (skipped when
   none did), both with the rules of `intake._merge`, set-based: a newer event overwrites a
   field, an older one only fills a blank; each status time keeps its earliest report; the
   status only moves forward (the first event to reach the highest rank wins, the call's own
   status on a tie); "do not contact" and "juvenile" never turn off; `needs_mapping` from the
   final codes.
5. ONE `INSERT INTO calls_event … SELECT` from the staging table writes the event log, in
   CAD-time order.

History never texts anyone: every call this path touches is historical, so nothing is planned
(`plan.calls` and survey invitations skip historical calls). SQLite keeps `ingest()`.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Container, Sequence
from typing import Any

import orjson
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from porchlight.agencies.models import Agency
from porchlight.calls import intake, rows
from porchlight.calls.intake import APPLIED, Feed, Outcome
from porchlight.calls.models import Call
from porchlight.notify import pii
from porchlight.notify.models import Channel

STAGE = "pl_import_stage"

# Staging columns: (name, type). The fold's fields first, then what only the log needs.
_STAGE_COLUMNS: list[tuple[str, str]] = [
    ("ord", "integer"),
    ("incident_number", "text"),
    ("at", "timestamptz"),
    ("status", "text"),
    ("rnk", "integer"),
    ("ctu", "boolean"),
    ("call_type_id", "bigint"),
    ("priority_id", "bigint"),
    ("disposition", "text"),
    ("call_taker_id", "text"),
    ("report_number", "text"),
    ("units", "jsonb"),
    ("address", "text"),
    ("lat", "double precision"),
    ("lon", "double precision"),
    ("beat", "text"),
    ("district", "text"),
    ("caller_language", "text"),
    ("caller_phone_id", "bigint"),
    ("caller_email_id", "bigint"),
    ("dnc", "boolean"),
    ("juvenile", "boolean"),
    ("event_id", "text"),
    ("content_hash", "text"),
    ("payload", "jsonb"),
    # The call did not exist when the chunk locked its calls: inserted folded (_insert_sql).
    ("new_call", "boolean"),
]
# Fields a newer event overwrites and an older one only fills when blank (intake._merge's put),
# with the way a call's current value counts as blank.
_PUT_TEXT = [
    "disposition",
    "call_taker_id",
    "report_number",
    "address",
    "beat",
    "district",
    "caller_language",
]
_PUT_OTHER = ["call_type_id", "priority_id", "lat", "lon", "caller_phone_id", "caller_email_id"]
_TIME_FIELDS = dict(intake._TIME_FIELD)  # status -> column
_FINALS = sorted(intake._FINAL)
# A new call's status is worked out from its highest rank (_fold): only the closing statuses
# may share one, the highest.
assert {intake._RANK[st] for st in _FINALS} == {max(intake._RANK.values())}
_OTHER_RANKS = [r for st, r in intake._RANK.items() if st not in _FINALS]
assert len(set(_OTHER_RANKS)) == len(_OTHER_RANKS)


class _LiveCall(Exception):
    """A call of the chunk is live: the chunk goes through ingest() instead."""


@functools.cache
def _create_sql() -> str:
    cols = ", ".join(f"{name} {kind}" for name, kind in _STAGE_COLUMNS)
    # Temporary: private to this connection, never WAL-logged; emptied at each commit.
    return f"CREATE TEMP TABLE IF NOT EXISTS {STAGE} ({cols}) ON COMMIT DELETE ROWS"


@functools.cache
def _copy_sql() -> str:
    # Binary: the server takes each value as it is, instead of parsing text (timestamps,
    # numbers, booleans); the jsonb columns still parse their JSON text. Measured on the staged
    # rows of 20,000 events, alternately: 5.0 µs of database CPU a row against 6.0 in text, and
    # 2.3-2.7 µs of Python against 3.8-4.1 (docs/performance.md, seventh pass: import).
    columns = ", ".join(n for n, _ in _STAGE_COLUMNS)
    return f"COPY {STAGE} ({columns}) FROM STDIN (FORMAT BINARY)"


# The staging columns' types, as psycopg's binary COPY needs them named (set_types). A jsonb
# value is sent in jsonb's own binary form, made in _stage_row: a version byte (1) and the JSON
# text orjson wrote, passed through as bytes. (Named jsonb, psycopg would encode the text a second
# time, as one JSON string.)
_JSONB_VERSION = b"\x01"
_STAGE_TYPES = ["bytea" if kind == "jsonb" else kind for _, kind in _STAGE_COLUMNS]


# Every column of a call, as the fold writes it: what _merge_sql sets and _insert_sql inserts.
_SET_COLUMNS = [
    *_PUT_TEXT,
    *_PUT_OTHER,
    "units",
    *_TIME_FIELDS.values(),
    "cleared_time_unknown",
    "status",
    "first_event_at",
    "last_event_at",
    "do_not_contact",
    "juvenile",
]
_INSERT_COLUMNS = [
    "agency_id",
    "incident_number",
    *_SET_COLUMNS,
    "needs_mapping",
    "historical",
    "import_run_id",
    "created",
    "updated",
]
# A column added to calls_call without a place here would make the INSERT of new calls fail
# (or silently take its database default): fail at import instead.
assert sorted(_INSERT_COLUMNS) == sorted(
    str(f.column) for f in Call._meta.concrete_fields if not f.primary_key
), "staged.py: _INSERT_COLUMNS no longer lists every column of calls_call"
# The rule of unmapped.needs_mapping, on the call's final codes.
_NEEDS_MAPPING = "(ct.id IS NULL OR ct.needs_mapping OR (p.id IS NOT NULL AND p.rank IS NULL))"
_CODES_JOIN = (
    "LEFT JOIN calls_calltype ct ON ct.id = v.call_type_id "
    "LEFT JOIN agencies_prioritycode p ON p.id = v.priority_id"
)


def _fold(new: bool) -> tuple[list[str], list[str]]:
    """The fold of a call's staged events, as (aggregates over the staging rows, named `a`;
    the call's new values from `a` and its current row `c`).

    `new`: the call does not exist yet, and is inserted already folded instead of created
    empty and then updated (each write of a call rewrites its row and its indexes). Its
    current row is then the one intake._new_call makes from its first event: no value, and
    the first event's time, status and CAD-time position. Every event is at or after that
    time, so each field takes its last non-blank value; each time its earliest report; the
    status the first event to reach the highest rank (the first event's own when none is
    higher); the flags any event's."""
    aggs: list[str] = [
        "min(s.at) AS min_at",
        "max(s.at) AS max_at",
        "max(s.rnk) AS best_rank",
        "bool_or(s.dnc) AS dnc",
        "bool_or(s.juvenile) AS juvenile",
    ]
    if not new:
        aggs.append("(array_agg(s.status ORDER BY s.rnk DESC, s.at, s.ord))[1] AS best_status")
    news: list[str] = []
    for name in [*_PUT_TEXT, *_PUT_OTHER, "units"]:
        if new:
            # The input comes newest first (_insert_sql): the first non-blank is the last.
            aggs.append(
                f"(array_agg(s.{name}) FILTER (WHERE s.{name} IS NOT NULL))[1] AS {name}_new"
            )
            blank = {"units": ", '[]'::jsonb"}.get(name, ", ''" if name in _PUT_TEXT else "")
            news.append(
                f"COALESCE(a.{name}_new{blank}) AS {name}" if blank else f"a.{name}_new AS {name}"
            )
            continue
        # The last non-blank value among events at or after the call's last event time, and
        # the first non-blank among the older ones (which only fill a blank).
        aggs.append(
            f"(array_agg(s.{name} ORDER BY s.at DESC, s.ord DESC) "
            f"FILTER (WHERE s.{name} IS NOT NULL AND s.at >= c.last_event_at))[1] AS {name}_new"
        )
        aggs.append(
            f"(array_agg(s.{name} ORDER BY s.at, s.ord) "
            f"FILTER (WHERE s.{name} IS NOT NULL AND s.at < c.last_event_at))[1] AS {name}_old"
        )
        if name in _PUT_TEXT:
            current = f"NULLIF(c.{name}, '')"
            tail = f", c.{name}"  # still blank: stays '' (the column is NOT NULL)
        elif name == "units":
            current = "CASE WHEN c.units = '[]'::jsonb THEN NULL ELSE c.units END"
            tail = ", c.units"
        else:
            current, tail = f"c.{name}", ""
        news.append(f"COALESCE(a.{name}_new, {current}, a.{name}_old{tail}) AS {name}")
    for status, column in _TIME_FIELDS.items():
        aggs.append(f"min(s.at) FILTER (WHERE s.status = '{status}') AS {column}_min")
        news.append(
            f"a.{column}_min AS {column}"
            if new
            else f"LEAST(c.{column}, a.{column}_min) AS {column}"
        )
    for status in _FINALS:
        # The earliest report of each closing status, its position, and its flag. New calls:
        # every report of it, newest first (the earliest is the last; see _insert_sql).
        if new:
            for col in ("ctu", "ord"):
                aggs.append(
                    f"array_agg(s.{col}) FILTER (WHERE s.status = '{status}') AS {status}_{col}s"
                )
            continue
        aggs.append(
            f"(array_agg(s.ctu ORDER BY s.at, s.ord) FILTER (WHERE s.status = '{status}'))[1] "
            f"AS {status}_ctu"
        )
        aggs.append(
            f"(array_agg(s.ord ORDER BY s.at, s.ord) FILTER (WHERE s.status = '{status}'))[1] "
            f"AS {status}_ord"
        )
    # cleared_time_unknown: set by the closing report that last moved a closing time earlier
    # (in CAD-time order), as intake._merge does; else unchanged (a new call's: false).
    improved = {
        st: f"(a.{_TIME_FIELDS[st]}_min IS NOT NULL)"
        if new
        else (
            f"(a.{_TIME_FIELDS[st]}_min IS NOT NULL AND "
            f"(c.{_TIME_FIELDS[st]} IS NULL OR a.{_TIME_FIELDS[st]}_min < c.{_TIME_FIELDS[st]}))"
        )
        for st in _FINALS
    }
    first, second = _FINALS
    ctu = {st: f"a.{st}_ctus[cardinality(a.{st}_ctus)]" if new else f"a.{st}_ctu" for st in _FINALS}
    ordx = {
        st: f"a.{st}_ords[cardinality(a.{st}_ords)]" if new else f"a.{st}_ord" for st in _FINALS
    }
    pos = {st: f"(a.{_TIME_FIELDS[st]}_min, {ordx[st]})" for st in _FINALS}
    unchanged = "false" if new else "c.cleared_time_unknown"
    news.append(
        "CASE "
        f"WHEN {improved[first]} AND {improved[second]} THEN "
        f"CASE WHEN {pos[first]} > {pos[second]} THEN {ctu[first]} ELSE {ctu[second]} END "
        f"WHEN {improved[first]} THEN {ctu[first]} "
        f"WHEN {improved[second]} THEN {ctu[second]} "
        f"ELSE {unchanged} END AS cleared_time_unknown"
    )
    rank = " ".join(f"WHEN '{s}' THEN {r}" for s, r in sorted(intake._RANK.items()))
    if new:
        # The first event's status stands unless a later one ranks higher; the first event to
        # reach the highest rank is then the first event itself whenever its rank is highest.
        # Only the closing statuses share a rank (asserted with _FINALS): below it the rank names the
        # status; at it, the closing status reported first.
        by_rank = " ".join(
            f"WHEN {r} THEN '{st}'" for st, r in sorted(intake._RANK.items()) if st not in _FINALS
        )
        top = intake._RANK[first]
        earliest = (
            f"CASE WHEN a.{_TIME_FIELDS[second]}_min IS NULL THEN '{first}' "
            f"WHEN a.{_TIME_FIELDS[first]}_min IS NULL THEN '{second}' "
            f"WHEN {pos[first]} < {pos[second]} THEN '{first}' ELSE '{second}' END"
        )
        news += [
            f"CASE a.best_rank {by_rank} WHEN {top} THEN {earliest} END AS status",
            "a.min_at AS first_event_at",
            "a.max_at AS last_event_at",
            "a.dnc AS do_not_contact",
            "a.juvenile AS juvenile",
        ]
    else:
        news += [
            f"CASE WHEN a.best_rank > (CASE c.status {rank} END) THEN a.best_status "
            "ELSE c.status END AS status",
            "LEAST(c.first_event_at, a.min_at) AS first_event_at",
            "GREATEST(c.last_event_at, a.max_at) AS last_event_at",
            "(c.do_not_contact OR a.dnc) AS do_not_contact",
            "(c.juvenile OR a.juvenile) AS juvenile",
        ]
    return aggs, news


# The chunk's call ids by incident number, one JSON parameter ({"26-000123": 4711, …}).
_CALL_IDS = "json_each_text(%s::json) AS m"


@functools.cache
def _merge_sql() -> str:
    """The fold of the staged events of calls that existed before the chunk into those calls,
    in one statement (see the module doc)."""
    aggs, news = _fold(new=False)
    sets = ", ".join(f"{col} = v.{col}" for col in _SET_COLUMNS)
    return (
        f"WITH a AS (SELECT c.id AS id, {', '.join(aggs)} FROM {STAGE} s "
        f"JOIN {_CALL_IDS} ON m.key = s.incident_number JOIN calls_call c ON c.id = m.value::bigint "
        "WHERE NOT s.new_call GROUP BY c.id), "
        f"v AS (SELECT a.id AS id, {', '.join(news)} FROM a JOIN calls_call c ON c.id = a.id) "
        f"UPDATE calls_call t SET {sets}, needs_mapping = {_NEEDS_MAPPING}, updated = %s "
        f"FROM v {_CODES_JOIN} WHERE t.id = v.id"
    )


@functools.cache
def _insert_sql() -> str:
    """The chunk's new calls, inserted already folded, in incident order (as ingest() creates
    them). A call someone else created since the lock is left alone here: its number comes
    back missing from RETURNING and it is merged instead."""
    aggs, news = _fold(new=True)
    folded = ", ".join(f"v.{col}" for col in _SET_COLUMNS)
    # Sorted once, newest first within each call, so that the aggregates need no ORDER BY of
    # their own: PostgreSQL 15 sorts a group's rows again for every ordered aggregate, about
    # twenty small sorts a call. An aggregate takes its rows in the order its input gives them
    # (the grouping needs no other order; a temporary table is never read in parallel).
    return (
        f"WITH a AS (SELECT s.incident_number AS incident_number, {', '.join(aggs)} "
        f"FROM (SELECT * FROM {STAGE} WHERE new_call "
        "ORDER BY incident_number, at DESC, ord DESC) s GROUP BY s.incident_number), "
        f"v AS (SELECT a.incident_number AS incident_number, {', '.join(news)} FROM a) "
        f"INSERT INTO calls_call ({', '.join(_INSERT_COLUMNS)}) "
        f"SELECT %s, v.incident_number, {folded}, {_NEEDS_MAPPING}, true, %s, %s, %s "
        f"FROM v {_CODES_JOIN} ORDER BY v.incident_number "
        "ON CONFLICT (agency_id, incident_number) DO NOTHING RETURNING incident_number, id"
    )


@functools.cache
def _events_sql() -> str:
    # The log's columns, in intake._EVENT_FIELDS order; ids follow CAD-time order, as ingest()
    # inserts them.
    return (
        "INSERT INTO calls_event (agency_id, source, event_id, content_hash, call_id, status, "
        "event_time, arrived_at, historical, payload) "
        "SELECT %s, %s, s.event_id, s.content_hash, m.value::bigint, s.status, s.at, %s, %s, "
        f"s.payload FROM {STAGE} s JOIN {_CALL_IDS} ON m.key = s.incident_number "
        "ORDER BY s.at, s.ord"
    )


_SMS, _EMAIL = Channel.SMS, Channel.EMAIL
_RANK = intake._RANK


def _stage_row(
    item: Any,
    contacts: dict[tuple[str, str], int],
    types: dict[str, int],
    prios: dict[str, int],
    calls: Container[str],
    phones: dict[str, int | None],
) -> tuple[Any, ...]:
    """One staged event: the values intake._merge would `put`, blanks as NULL. Runs for every
    row of a file, so written with plain locals and `or None` (no helper calls, no enum
    attribute lookups): 13 % of the staged path's Python CPU before."""
    ev = item.event
    loc, caller = ev.location, ev.caller
    phone_id = email_id = language = None
    dnc = False
    if caller is not None:
        language = caller.language.lower().replace("_", "-") or None
        if raw_phone := caller.phone:
            # Each number normalised once a chunk (_contacts did it already, per event).
            if raw_phone in phones:
                phone_id = phones[raw_phone]
            else:
                phone = pii.normalize_phone(raw_phone)
                phone_id = phones[raw_phone] = contacts.get((_SMS, phone)) if phone else None
        if caller.email:
            email_id = contacts.get((_EMAIL, caller.email.strip().lower()))
        dnc = caller.do_not_contact
    units = (
        _JSONB_VERSION
        + orjson.dumps(
            [
                {"id": u.id, "officers": [{"id": o.id, "name": o.name} for o in u.officers]}
                for u in ev.units
            ]
        )
        if ev.units
        else None
    )
    if loc is not None:
        address, lat, lon = loc.address or None, loc.lat, loc.lon
        beat, district = loc.beat or None, loc.district or None
    else:
        address = lat = lon = beat = district = None
    status = item.status
    return (
        item.index,
        ev.incident_number,
        ev.event_time,
        status,
        _RANK[status],
        ev.cleared_time_unknown,
        types[ev.call_type] if ev.call_type else None,
        prios[ev.priority] if ev.priority else None,
        ev.disposition or None,
        ev.call_taker_id or None,
        ev.report_number or None,
        units,
        address,
        lat,
        lon,
        beat,
        district,
        language,
        phone_id,
        email_id,
        dnc,
        ev.juvenile,
        ev.event_id,
        item.content_hash,
        _JSONB_VERSION + orjson.dumps(intake._payload(item)),
        ev.incident_number not in calls,
    )


def usable() -> bool:
    """Whether this database takes the staged path (PostgreSQL; SQLite keeps ingest())."""
    return connection.vendor == "postgresql"


def apply(feed: Feed, raw_events: Sequence[Any]) -> list[Outcome]:
    """Apply one chunk of history; one outcome per event, in order, as ingest() returns them.
    Rejections and conflicts are not quarantined here: the import does it, with their lines."""
    assert feed.historical, "the staged path is for history only: it plans no texts"
    for attempt in range(1, intake._ATTEMPTS + 1):
        try:
            with transaction.atomic():
                return _apply(feed, raw_events)
        except _LiveCall:
            outcomes, _ = intake.ingest(feed, raw_events, quarantine=False)
            return outcomes
        except (IntegrityError, OperationalError) as exc:
            if attempt == intake._ATTEMPTS or not intake._retryable(exc):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _apply(feed: Feed, raw_events: Sequence[Any]) -> list[Outcome]:
    outcomes: list[Outcome | None] = [None] * len(raw_events)
    rejects: list[tuple[Agency, Any, Outcome]] = []
    items = intake._items(feed, raw_events, None, outcomes, rejects)
    by_agency: dict[int, list[Any]] = defaultdict(list)
    for item in items:
        by_agency[item.agency.pk].append(item)
    for group in by_agency.values():
        _apply_agency(feed, group, outcomes, rejects)
    return [o for o in outcomes if o is not None]


def _apply_agency(
    feed: Feed,
    items: list[Any],
    outcomes: list[Outcome | None],
    rejects: list[tuple[Agency, Any, Outcome]],
) -> None:
    agency = items[0].agency
    now = timezone.now()
    prepared = intake._prepare(feed, items, outcomes, rejects)
    if prepared is None:
        return
    fresh = prepared.fresh
    # Not sorted by CAD time here: every statement orders the staged rows itself (by time and
    # position), and sorting 5,000 events by aware datetimes cost 1.2 µs a row.
    numbers = sorted({item.event.incident_number for item in fresh})
    calls = rows.lock_calls(agency.pk, numbers)
    if any(not c.historical for c in calls.values()):
        raise _LiveCall

    # Ids by code, once a chunk (a model's `pk` is a property call per row).
    types = {code: row.pk for code, row in prepared.call_types.items()}
    prios = {code: row.pk for code, row in prepared.priorities.items()}
    phones: dict[str, int | None] = {}
    staged = [_stage_row(item, prepared.contacts, types, prios, calls, phones) for item in fresh]
    with connection.wrap_database_errors, connection.cursor() as cursor:
        cursor.execute(_create_sql())
        # Emptied at each commit; and here, for a chunk applied in a transaction that has not
        # committed since the last one (a second agency of the chunk, or an outer transaction).
        cursor.execute(f"DELETE FROM {STAGE}")
        with cursor.cursor.copy(_copy_sql()) as copy:
            copy.set_types(_STAGE_TYPES)
            for row in staged:
                copy.write_row(row)
        # The chunk's calls by incident number, for the merge and the log. Joined on (agency,
        # incident number) instead, each chunk read every call of the agency (EXPLAIN: a
        # bitmap scan of all 9,000 at the end of 50,000 rows), a cost growing with history.
        ids = {number: call.pk for number, call in calls.items()}
        merge = bool(calls)
        if len(calls) < len(numbers):
            cursor.execute(_insert_sql(), [agency.pk, feed.import_run_id, now, now])
            made = dict(cursor.fetchall())
            ids.update(made)
            if others := [n for n in numbers if n not in calls and n not in made]:
                # Created by someone else since the lock: locked now, live ones refused, and
                # merged into like the calls that existed before.
                late = rows.lock_calls(agency.pk, others)
                if any(not c.historical for c in late.values()):
                    raise _LiveCall
                ids.update((number, call.pk) for number, call in late.items())
                cursor.execute(
                    f"UPDATE {STAGE} SET new_call = false WHERE incident_number = ANY(%s)",
                    [others],
                )
                merge = True
        if merge:
            cursor.execute(_merge_sql(), [orjson.dumps(ids).decode(), now])
        cursor.execute(
            _events_sql(), [agency.pk, feed.source, now, True, orjson.dumps(ids).decode()]
        )
    for item in fresh:
        outcomes[item.index] = Outcome(
            item.index,
            item.event.event_id,
            APPLIED,
            "applied from history",
            item.event.incident_number,
            item.warnings,
        )
