"""The map API's GeoJSON features as text that PostgreSQL writes itself.

The GeoJSON endpoint's time was Python's, not the database's: every row became a tuple, then
an `Incident`, then a dict with two translated labels, a block label and an ISO time, then
orjson's input (profiled, docs/performance.md "Public map"). On PostgreSQL the same query
(`query.matching()`, so the same rows) returns each feature already as compact JSON text, byte
for byte what `api.feature()` + orjson write: the labels of the active language and the
block template's pieces go in as parameters, so no row becomes a Python object but one string.
Other databases (SQLite in development and tests) keep the Python path.

Byte for byte means: keys in the same order, no spaces, floats as Python's repr ("-119.0",
not PostgreSQL's "-119"), the time as `datetime.isoformat()` in UTC ("+00:00", microseconds
only when there are some), strings escaped as JSON (PostgreSQL's to_json and orjson escape the
same characters). publicmap/tests/test_geojson.py checks the endpoint's bytes on both engines
(this path on PostgreSQL, the Python one elsewhere) against the Python path's and a feature
spelled out by hand.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import orjson
from django.db import connections, router
from django.utils.translation import gettext as _

from porchlight.agencies.models import Agency
from porchlight.publicmap import query
from porchlight.publicmap.models import Category, Kind, PublishedIncident

# The names the SQL below gives query.COLUMNS, the columns a feature is made of.
NAMES = (
    "id",
    "agency_id",
    "category",
    "kind",
    "occurred_at",
    "block_number",
    "street",
    "lat",
    "lon",
)


def supported() -> bool:
    return connections[router.db_for_read(PublishedIncident)].vendor == "postgresql"


def _json(text: str) -> str:
    return orjson.dumps(text).decode()


def _float(column: str) -> str:
    # PostgreSQL writes a whole float8 without ".0"; Python's repr (and orjson) add it. A
    # comparison, not a pattern match on the text (profiled: a fifth of the JSON's cost);
    # coordinates are never large enough for PostgreSQL's exponent form of a whole number.
    return f"(CASE WHEN {column} = trunc({column}) THEN {column}::text || '.0' ELSE {column}::text END)"


def _cases(column: str, labels: dict[str, str]) -> tuple[str, list[str]]:
    """CASE column WHEN value THEN <JSON text> …: an unknown value writes itself as its label."""
    sql = " ".join("WHEN %s THEN %s" for _ in labels)
    params = [p for value, label in labels.items() for p in (value, _json(label))]
    return f"(CASE {column} {sql} ELSE to_json({column})::text END)", params


def _block() -> tuple[str, list[str]]:
    """query.block_label() in SQL: the active language's template, split at its two fields."""
    template = _("%(number)s block of %(street)s")
    parts: list[str] = []
    params: list[str] = []
    for piece in re.split(r"(%\(number\)s|%\(street\)s)", template):
        if piece == "%(number)s":
            parts.append("s.block_number::text")
        elif piece == "%(street)s":
            # The street as a JSON string without its quotes: escaped as orjson escapes it.
            parts.append("substr(to_json(s.street)::text, 2, length(to_json(s.street)::text) - 2)")
        elif piece:
            parts.append("%s")
            params.append(_json(piece.replace("%%", "%"))[1:-1])
    body = " || ".join(parts) or "''"
    sql = (
        "(CASE WHEN s.street = '' OR s.block_number IS NULL THEN '\"\"'"
        f" ELSE '\"' || {body} || '\"' END)"
    )
    return sql, params


def features(
    area: query.Circle | query.Box,
    since: datetime,
    until: datetime,
    *,
    categories: set[str] | None,
    agency_id: int | None,
    limit: int,
) -> tuple[list[str], bool]:
    """(each feature's JSON text, newest first; truncated?), labels in the active language."""
    rows, _columns = query.matching(area, since, until, categories=categories, agency_id=agency_id)
    # One index-only scan: the (h3, occurred_at) index holds every column read here
    # (models.py), so the filter, the distance, the order and the page's fields read no row.
    # (Before, the page's ids came from the index and then 1,000 scattered rows by primary key:
    # 4 of the query's 11 ms of database CPU at 5,000,000 incidents; docs/performance.md.)
    inner, inner_params = rows.values_list(*query.COLUMNS)[: limit + 1].query.sql_with_params()
    category_sql, category_params = _cases("s.category", {c.value: str(c.label) for c in Category})
    kind_sql, kind_params = _cases("s.kind", {k.value: str(k.label) for k in Kind})
    category_value_sql, category_value_params = _cases(
        "s.category", {c: c for c in Category.values}
    )
    kind_value_sql, kind_value_params = _cases("s.kind", {k: k for k in Kind.values})
    block_sql, block_params = _block()
    feature = f"""
        '{{"type":"Feature","id":' || s.id
        || ',"geometry":{{"type":"Point","coordinates":[' || {_float("s.lon")} || ','
        || {_float("s.lat")} || ']}},"properties":{{"category":' || {category_value_sql}
        || ',"category_label":' || {category_sql}
        || ',"kind":' || {kind_value_sql}
        || ',"kind_label":' || {kind_sql}
        || ',"block":' || {block_sql}
        || ',"occurred_at":"' || (CASE WHEN right(t.at, 7) = '.000000' THEN left(t.at, -7)
                                      ELSE t.at END)
        || '+00:00","agency":' || COALESCE(to_json(a.slug)::text, '""') || '}}}}'
    """
    sql = (
        # Named here: Django may alias the inner query's columns (col1, …).
        f"SELECT {feature} FROM ({inner}) s ({', '.join(NAMES)})"
        # The time as isoformat() in UTC, written once a row: microseconds only when some.
        " CROSS JOIN LATERAL (SELECT to_char(s.occurred_at AT TIME ZONE 'UTC',"
        " 'YYYY-MM-DD\"T\"HH24:MI:SS.US') AS at) t"
        f" LEFT JOIN {Agency._meta.db_table} a ON a.id = s.agency_id"
        " ORDER BY s.occurred_at DESC, s.id DESC"
    )
    # The parameters in the order their %s appear in the text.
    params: list[Any] = [
        *category_value_params,
        *category_params,
        *kind_value_params,
        *kind_params,
        *block_params,
        *inner_params,
    ]
    with connections[router.db_for_read(PublishedIncident)].cursor() as cursor:
        cursor.execute(sql, params)
        found = [row[0] for row in cursor.fetchall()]
    return found[:limit], len(found) > limit
