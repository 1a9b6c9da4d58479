"""Set-based inserts and updates for the intake hot path.

Django's bulk_update builds a CASE WHEN expression per field per row, and bulk_create prepares
every value through the expression machinery: measured here, they cost ~40 ms and ~800 ms for
a batch of 100 events, against a budget of 10 ms. These two functions write the same rows as
one statement:

- PostgreSQL: `INSERT … SELECT (r->>0)::type, … FROM jsonb_array_elements(%s::jsonb) AS e(r)`
  and `UPDATE … FROM (SELECT … FROM jsonb_array_elements(…)) AS v WHERE t.id = v._pk`: the
  whole batch is ONE jsonb parameter, serialised by orjson in C. (It was one typed array per
  column; psycopg dumps those element by element in Python, a third of a batch's CPU.)
- SQLite: `executemany` of one prepared statement, which runs in-process with no round trips;
  values go through each field's get_db_prep_save (or its equivalent worked out once), so
  they are stored exactly as the ORM would store them.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC
from typing import Any

import orjson
from django.db import connection, models


def _converter(field: Any) -> Any:
    """How one field's Python value becomes a database parameter, decided once per field."""
    if isinstance(field, models.JSONField):
        # Passed as text and cast in SQL: arrays of jsonb adapt poorly, text never fails.
        return lambda v: None if v is None else orjson.dumps(v).decode()
    if isinstance(field, models.DateTimeField):
        if connection.vendor == "sqlite":
            # Django's adapter, without its per-value checks: naive UTC text.
            return lambda v: None if v is None else str(v.astimezone(UTC).replace(tzinfo=None))
        if connection.vendor == "postgresql":
            # psycopg takes aware datetimes as they are (Django's adapter returns them
            # unchanged), and going through the connection proxy per value cost 9% of a batch.
            return None
        return lambda v: connection.ops.adapt_datetimefield_value(v)
    if isinstance(
        field,
        (
            models.CharField,
            models.TextField,
            models.BooleanField,
            models.FloatField,
            models.IntegerField,
            models.ForeignKey,
            models.BinaryField,
        ),
    ):
        return None  # the driver takes these as they are
    return lambda v: field.get_db_prep_save(v, connection)


@functools.cache
def _plan(
    model: type[models.Model], names: tuple[str, ...], vendor: str
) -> tuple[list[str], list[Any]]:
    """Columns and converters for these fields, worked out once per process (measured: ~3 ms
    a batch when recomputed)."""
    fields = [model._meta.get_field(name) for name in names]
    columns: list[str] = [f.column for f in fields]  # type: ignore[union-attr,misc]
    return columns, [_converter(f) for f in fields]


def _prepared(
    model: type[models.Model], names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> tuple[list[str], list[list[Any]]]:
    columns, converters = _plan(model, tuple(names), connection.vendor)
    out = [[v if c is None else c(v) for c, v in zip(converters, row, strict=True)] for row in rows]
    return columns, out


def values(objs: Sequence[models.Model], names: Sequence[str]) -> list[list[Any]]:
    """The objects' values for these fields, as rows for insert()."""
    attnames = [o.attname for o in (objs[0]._meta.get_field(n) for n in names)] if objs else []  # type: ignore[union-attr]
    return [[obj.__dict__[a] for a in attnames] for obj in objs]


# Writes whose results nobody reads, held back inside `pipelined()` (PostgreSQL): None when
# not deferring. Per thread, as Django's connections are.
_state = threading.local()


def _pending() -> list[tuple[str, list[Any]]] | None:
    return getattr(_state, "pending", None)


@contextmanager
def pipelined(*, commit: bool = False) -> Iterator[None]:
    """Inside this block (PostgreSQL; elsewhere it does nothing), the writes of this module
    whose results nobody reads (`insert()` without `returning`, `update()`, `execute()`) are
    held back and sent with the next statement that needs an answer, in one round trip
    (psycopg's pipeline mode), instead of one round trip each. Intake runs its transaction in
    one: concurrent batches on the same calls wait for each other from the first call lock to
    the commit, and every round trip in that window is a moment the locks are held for nothing
    (docs/performance.md, issue 9, fifth pass).

    Order is kept: every statement on the connection goes after the held ones, the ORM's too
    (a Django execute wrapper sends them first), and the block sends what is left when it
    ends, before the transaction commits. Put it inside `transaction.atomic()`. A held write
    that fails raises at the statement that sends it (as Django's IntegrityError or
    OperationalError, like the ORM's), which aborts the transaction as it would have anyway;
    when the block ends with an error, what is still held is dropped with the transaction.

    With `commit`, put the block right inside the transaction's outermost `atomic()` with
    nothing after it: when the block ends, what is still held goes with the transaction's
    COMMIT, one round trip for both (`_committed()` says when that is safe; otherwise the
    held writes are sent alone, and atomic() commits as usual). A COMMIT that fails raises
    here, inside the atomic block, as Django's error: atomic() then rolls back (nothing is
    left to roll back) and the caller sees the same error as from atomic()'s own commit."""
    if connection.vendor != "postgresql" or _pending() is not None:
        yield
        return
    _state.pending = []
    try:
        with connection.execute_wrapper(_flushed_first):
            yield
            if commit and _pending() and _committable():
                _execute_pg("", [], send=True, commit=True)
            else:
                flush()
    finally:
        _state.pending = None


def _committable() -> bool:
    """Whether the transaction may be committed now, from inside its atomic block: the block
    is the outermost one (no savepoint or inner atomic() open: a test's wrapping transaction,
    ATOMIC_REQUESTS or a caller's own atomic() make it a savepoint, and then it must not
    commit), it commits on exit, and nothing marked it for rollback. atomic()'s own commit
    after it is then a no-op: psycopg sends no COMMIT for a connection with no transaction
    open (Connection.commit(), IDLE)."""
    return (
        connection.in_atomic_block
        and connection.commit_on_exit
        and not connection.savepoint_ids
        and not connection.needs_rollback
        and len(connection.atomic_blocks) == 1
    )


def _flushed_first(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    flush()
    return execute(sql, params, many, context)


def flush() -> None:
    """Send the held writes now (one round trip)."""
    if _pending():
        _execute_pg("", [], fetch=False, send=True)


def execute(sql: str, params: list[Any]) -> None:
    """A write whose result nobody reads, on PostgreSQL, bound in binary: held back inside
    `pipelined()`, else run now."""
    _execute_pg(sql, params)


def _execute_pg(
    sql: str, params: list[Any], fetch: bool = False, *, send: bool = False, commit: bool = False
) -> list[Any]:
    # Django's psycopg cursors bind client-side, quoting every array element into the SQL text
    # (most of the cost, measured). A plain psycopg cursor on the same connection, inside the
    # same transaction, sends the arrays as binary parameters instead.
    import psycopg

    pending = _pending()
    if pending is not None and not fetch and not send:
        pending.append((sql, params))
        return []
    held = list(pending or ())
    if pending:
        pending.clear()
    if sql:
        held.append((sql, params))
    connection.ensure_connection()
    raw = connection.connection
    # wrap_database_errors turns psycopg's errors into Django's, as the ORM's cursors do, so
    # callers catch IntegrityError and OperationalError alike on both paths.
    with connection.wrap_database_errors:
        if len(held) == 1 and not commit:
            with psycopg.Cursor(raw) as cursor:
                cursor.execute(*held[0])
                return cursor.fetchall() if fetch else []
        # One round trip for all: the results come back when the pipeline block ends.
        cursors = [psycopg.Cursor(raw) for _ in held]
        try:
            with raw.pipeline():
                for cursor, (text, values) in zip(cursors, held, strict=True):
                    cursor.execute(text, values)
                if commit:
                    # Not sent if a held write failed: the pipeline is aborted, and the
                    # error raises with the transaction still open for atomic()'s rollback.
                    raw.commit()
            return cursors[-1].fetchall() if fetch and sql else []
        finally:
            for cursor in cursors:
                cursor.close()


def fetch_pg(sql: str, params: list[Any]) -> list[Any]:
    """Rows of a read on PostgreSQL, its parameters bound in binary (see _execute_pg)."""
    return _execute_pg(sql, params, fetch=True)


@functools.cache
def _pg_types_of(model: type[models.Model], names: tuple[str, ...]) -> list[str]:
    types = []
    for name in names:
        f = model._meta.get_field(name)
        if isinstance(f, models.ForeignKey):
            f = f.target_field
        db_type = f.db_type(connection)  # type: ignore[union-attr]
        if isinstance(f, models.JSONField):
            db_type = "text"
        elif db_type and "(" in db_type:
            # varchar(40)[] → varchar[]: the column still checks the length on write.
            db_type = db_type.split("(")[0]
        types.append(db_type or "text")
    return types


def _json_default(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()  # decoded in SQL (see _pg_json_plan)
    return str(value)  # Decimal and the like: cast from text in SQL


def _json_rows(rows: Sequence[Sequence[Any]]) -> str:
    return orjson.dumps(rows, default=_json_default).decode()


@functools.cache
def _pg_json_plan(
    model: type[models.Model], names: tuple[str, ...], offset: int
) -> tuple[list[str], list[str]]:
    """Columns, and the SQL that reads each from element `offset + i` of a JSON row `r`.

    On PostgreSQL a batch travels as ONE jsonb parameter (an array of row arrays) expanded by
    `jsonb_array_elements`: orjson serialises it in C, where psycopg dumped typed arrays
    element by element in Python (a third of a batch's CPU, measured). Values are what the
    ORM stores: datetimes as RFC 3339 text, JSON fields as nested JSON, bytes as hex.
    """
    columns: list[str] = []
    exprs: list[str] = []
    for i, (name, db_type) in enumerate(zip(names, _pg_types_of(model, names), strict=True)):
        field = model._meta.get_field(name)
        columns.append(field.column)  # type: ignore[union-attr,arg-type]
        at = offset + i
        if isinstance(field, models.JSONField):
            exprs.append(f"(r->{at})")
        elif isinstance(field, models.BinaryField):
            exprs.append(f"decode(r->>{at}, 'hex')")
        else:
            exprs.append(f"(r->>{at})::{db_type}")
    return columns, exprs


def json_columns(
    model: type[models.Model], names: Sequence[str], offset: int = 0
) -> tuple[list[str], list[str]]:
    """For a statement of the caller's own (PostgreSQL): the columns of these fields, and the
    SQL reading each from element `offset + i` of a JSON row `r` of `json_param()`'s array,
    as insert() reads them."""
    return _pg_json_plan(model, tuple(names), offset)


def json_param(rows: Sequence[Sequence[Any]]) -> str:
    """Rows as ONE jsonb parameter for `jsonb_array_elements(%s::jsonb) AS e(r)`."""
    return _json_rows(rows)


def insert(
    model: type[models.Model],
    names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
    returning: str | Sequence[str] | None = None,
) -> list[Any] | None:
    """INSERT rows of values (in `names` order, foreign keys as ids).

    With ignore_conflicts, rows that collide with a unique constraint are skipped (on
    PostgreSQL after waiting for the transaction that holds them). On PostgreSQL, `returning`
    names a column to read back from the rows actually inserted (a list of its values), or
    several (a list of row tuples); SQLite returns None.
    """
    if not rows:
        return [] if returning else None
    table = connection.ops.quote_name(model._meta.db_table)
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        columns, exprs = _pg_json_plan(model, tuple(names), 0)
        sql = (
            f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) "
            f"SELECT {', '.join(exprs)} FROM jsonb_array_elements(%s::jsonb) AS e(r)"
        )
        if ignore_conflicts:
            sql += " ON CONFLICT DO NOTHING"
        wanted = [returning] if isinstance(returning, str) else list(returning or ())
        if wanted:
            returned = ", ".join(
                qn(model._meta.get_field(name).column)  # type: ignore[union-attr,arg-type]
                for name in wanted
            )
            sql += f" RETURNING {returned}"
        out = _execute_pg(sql, [_json_rows(rows)], fetch=bool(wanted))
        if not wanted:
            return None
        return [row[0] for row in out] if isinstance(returning, str) else out
    columns, prepared = _prepared(model, names, rows)
    cols = ", ".join(qn(c) for c in columns)
    verb = "INSERT OR IGNORE" if ignore_conflicts else "INSERT"
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"{verb} INTO {table} ({cols}) VALUES ({marks})", prepared)
    return None


def update(model: type[models.Model], names: Sequence[str], objs: Sequence[models.Model]) -> None:
    """UPDATE each object's row (by primary key) with its values for these fields."""
    if not objs:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    pk = model._meta.pk
    assert pk is not None
    pk_column: str = pk.column  # type: ignore[assignment]
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        columns, exprs = _pg_json_plan(model, tuple(names), 1)
        sets = ", ".join(f"{qn(c)} = v.{qn(c)}" for c in columns)
        selects = ", ".join(
            [
                "(r->>0)::bigint AS _pk",
                *(f"{e} AS {qn(c)}" for e, c in zip(exprs, columns, strict=True)),
            ]
        )
        sql = (
            f"UPDATE {table} AS t SET {sets} FROM (SELECT {selects} "
            f"FROM jsonb_array_elements(%s::jsonb) AS e(r)) AS v WHERE t.{qn(pk_column)} = v._pk"
        )
        rows = values(objs, names)
        _execute_pg(sql, [_json_rows([[o.pk, *row] for o, row in zip(objs, rows, strict=True)])])
        return
    columns, rows = _prepared(model, names, values(objs, names))
    sets = ", ".join(f"{qn(c)} = %s" for c in columns)
    sql = f"UPDATE {table} SET {sets} WHERE {qn(pk_column)} = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[*row, obj.pk] for row, obj in zip(rows, objs, strict=True)])
