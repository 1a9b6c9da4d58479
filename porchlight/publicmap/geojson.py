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

import logging
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from django.db import connections, router
from django.utils import translation
from django.utils.translation import gettext as _

from porchlight.agencies.models import Agency
from porchlight.geo import h3index
from porchlight.publicmap import query
from porchlight.publicmap.models import Category, Kind, PublishedIncident

log = logging.getLogger(__name__)

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


def _cases(column: str, key: str, labels: dict[str, str]) -> tuple[str, list[str]]:
    """The value and its label, `"theft","category_label":"Theft"`, for what follows
    `"category":`: one CASE column WHEN value THEN <both as JSON text> …; an unknown value
    writes itself as its label. One CASE for both, not one each: half the comparisons a row."""
    between = f",{_json(key + '_label')}:"
    sql = " ".join("WHEN %s THEN %s" for _ in labels)
    params = [
        p for value, label in labels.items() for p in (value, _json(value) + between + _json(label))
    ]
    unknown = f"to_json({column})::text"
    return f"(CASE {column} {sql} ELSE {unknown} || %s || {unknown} END)", [*params, between]


# The time as isoformat() in UTC, its opening quote included, without "+00:00": microseconds
# only when some, then always six digits. PostgreSQL's JSON text of a timestamp is ISO 8601
# whatever the session's DateStyle ("2026-12-05T06:28:14.5"), but drops the fraction's
# trailing zeros, which isoformat() keeps: padded back to six digits. Written once a row, in
# a subquery that OFFSET 0 keeps apart: before, to_char() sat in a LATERAL subquery that the
# planner pulled up into the expressions naming it, so it ran twice a row, plus right() and
# left() of its text. Measured over 200,000 incidents (PostgreSQL's CPU): 0.94 → 0.51 µs a
# row (docs/performance.md, "Public map, sixth pass").
_TIME = "to_json(r.occurred_at AT TIME ZONE 'UTC')::text"
_TIME_PADDED = (
    "(CASE WHEN octet_length(s.at) = 21 THEN left(s.at, -1) ELSE rpad(left(s.at, -1), 27, '0') END)"
)


def _block() -> tuple[str, list[str]]:
    """query.block_label() in SQL: the active language's template, split at its two fields,
    put together and written as one JSON string (to_json escapes as orjson does, so the
    whole label's escape is the pieces' escapes side by side). One to_json a row, where the
    street alone took two and a substr of their text (0.56 → 0.29 µs a row, measured)."""
    template = _("%(number)s block of %(street)s")
    parts: list[str] = []
    params: list[str] = []
    for piece in re.split(r"(%\(number\)s|%\(street\)s)", template):
        if piece == "%(number)s":
            parts.append("s.block_number::text")
        elif piece == "%(street)s":
            parts.append("s.street")
        elif piece:
            parts.append("%s::text")
            params.append(piece.replace("%%", "%"))
    body = " || ".join(parts) or "''"
    sql = (
        "(CASE WHEN s.street = '' OR s.block_number IS NULL THEN '\"\"'"
        f" ELSE to_json({body})::text END)"
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
    prepared = _prepared(_Shape.of(area, categories, agency_id, translation.get_language()))
    if prepared is None:  # a shape whose parameters could not be told apart: compile it
        sql, params = _statement(area, since, until, categories, agency_id)
        params = [*params, limit + 1]
    else:
        values = _values(area, since, until, categories, agency_id, limit)
        sql = prepared.sql
        params = [values[x.name] if isinstance(x, _Slot) else x for x in prepared.params]
    with connections[router.db_for_read(PublishedIncident)].cursor() as cursor:
        cursor.execute(sql, params)
        found = [row[0] for row in cursor.fetchall()]
    return found[:limit], len(found) > limit


def _statement(
    area: query.Circle | query.Box,
    since: datetime,
    until: datetime,
    categories: set[str] | None,
    agency_id: int | None,
) -> tuple[str, list[Any]]:
    """The whole statement, built through the ORM; `LIMIT %s` is its last parameter."""
    rows, _columns = query.matching(area, since, until, categories=categories, agency_id=agency_id)
    # One index-only scan: the (h3, occurred_at) index holds every column read here
    # (models.py), so the filter, the distance, the order and the page's fields read no row.
    # (Before, the page's ids came from the index and then 1,000 scattered rows by primary key:
    # 4 of the query's 11 ms of database CPU at 5,000,000 incidents; docs/performance.md.)
    # The limit is a parameter (Django would write it into the text), so one text serves
    # every limit.
    inner, inner_params = rows.values_list(*query.COLUMNS).query.sql_with_params()
    inner = f"{inner} LIMIT %s"
    category_sql, category_params = _cases(
        "s.category", "category", {c.value: str(c.label) for c in Category}
    )
    kind_sql, kind_params = _cases("s.kind", "kind", {k.value: str(k.label) for k in Kind})
    block_sql, block_params = _block()
    feature = f"""
        '{{"type":"Feature","id":' || s.id
        || ',"geometry":{{"type":"Point","coordinates":[' || {_float("s.lon")} || ','
        || {_float("s.lat")} || ']}},"properties":{{"category":' || {category_sql}
        || ',"kind":' || {kind_sql}
        || ',"block":' || {block_sql}
        || ',"occurred_at":' || {_TIME_PADDED} || '+00:00","agency":' || COALESCE(to_json(a.slug)::text, '""') || '}}}}'
    """
    sql = (
        f"SELECT {feature} FROM (SELECT r.*, {_TIME} AS at"
        # Named here: Django may alias the inner query's columns (col1, …).
        f" FROM ({inner}) r ({', '.join(NAMES)})"
        # In order already; said again so the planner knows it above the subquery and sorts
        # nothing more (without it, EXPLAIN showed a second sort of the page).
        " ORDER BY r.occurred_at DESC, r.id DESC OFFSET 0) s"
        f" LEFT JOIN {Agency._meta.db_table} a ON a.id = s.agency_id"
        " ORDER BY s.occurred_at DESC, s.id DESC"
    )
    # The parameters in the order their %s appear in the text.
    params: list[Any] = [
        *category_params,
        *kind_params,
        *block_params,
        *inner_params,
    ]
    return sql, params


# --- One statement per shape ---------------------------------------------------------------
# Building `query.matching()`'s queryset and compiling it, and the labels' CASEs, was ~40% of
# a request's Python time (profiled, docs/performance.md), and every request of one shape
# (circle by cells, circle by range or box; how many categories; one agency or all; the
# language) compiles to the same text with different values. So each shape is compiled once,
# through the ORM as above (query.matching() stays the one definition of what is shown), and
# each request only puts its values where the shape's slots are.
#
# The slots are found by compiling the shape twice with two sets of made-up values: a
# parameter equal to value X of a slot in the first and to value Y of the same slot in the
# second is that slot; one equal in both is a constant of the shape (a label, ""); anything
# else (a value derived in a way `_values()` does not know) makes the shape unpreparable, and
# it is compiled per request as before.


@dataclass(frozen=True)
class _Shape:
    area: str  # "cells": a circle up to H3_MAX_MILES; "range": a larger circle; "box"
    categories: int  # how many categories are asked for (0: every one)
    agency: bool
    language: str

    @classmethod
    def of(
        cls,
        area: query.Circle | query.Box,
        categories: set[str] | None,
        agency_id: int | None,
        language: str,
    ) -> _Shape:
        if isinstance(area, query.Box):
            kind = "box"
        else:
            kind = "cells" if area.miles <= query.H3_MAX_MILES else "range"
        return cls(kind, len(categories or ()), agency_id is not None, language)


@dataclass(frozen=True)
class _Slot:
    name: str


@dataclass(frozen=True)
class _Prepared:
    sql: str
    params: tuple[Any, ...]  # a constant, or a _Slot where the request's value goes


def _values(
    area: query.Circle | query.Box,
    since: datetime,
    until: datetime,
    categories: set[str] | None,
    agency_id: int | None,
    limit: int,
) -> dict[str, Any]:
    """A request's value for every slot a shape may have, as the ORM would pass them."""
    values: dict[str, Any] = {"since": since, "until": until, "agency": agency_id}
    values["limit"] = limit + 1  # one more than asked: "truncated"
    for n, category in enumerate(sorted(categories or ())):
        values[f"category{n}"] = category
    box = area
    if isinstance(area, query.Circle):
        # radius.MilesFrom's parameters, and the prefilter query.narrowed() chooses.
        values.update(lat=float(area.lat), lon=float(area.lon), miles=area.miles)
        values["cos_lat"] = math.cos(math.radians(float(area.lat)))
        if area.miles <= query.H3_MAX_MILES:
            values["cells"] = [int(c) for c in h3index.cells_within(area.lat, area.lon, area.miles)]
            return values
        box = query.box_around(area)
    assert isinstance(box, query.Box)
    values.update(west=box.west, south=box.south, east=box.east, north=box.north)
    return values


def _made_up(shape: _Shape, n: int) -> tuple[Any, ...]:
    """Arguments of `shape` whose values differ from each other and from the other set's."""
    area: query.Circle | query.Box
    if shape.area == "box":
        area = query.Box(west=-10.5 - n, south=20.25 + n, east=-9.125 - n, north=20.75 + n)
    else:
        miles = (0.375 if shape.area == "cells" else 4.625) + n / 8
        area = query.Circle(40.125 + n, -70.25 - n, miles)
    since = datetime(1901 + n, 1, 1, tzinfo=UTC)
    until = datetime(1911 + n, 1, 1, tzinfo=UTC)
    categories = {f"\x00category{n}.{i}" for i in range(shape.categories)} or None
    agency_id = 900_000_001 + n if shape.agency else None
    return area, since, until, categories, agency_id


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


_shapes: dict[_Shape, _Prepared | None] = {}


def _prepared(shape: _Shape) -> _Prepared | None:
    if shape not in _shapes:
        _shapes[shape] = _prepare(shape)
    return _shapes[shape]


def _prepare(shape: _Shape) -> _Prepared | None:
    compiled = []
    for n in (0, 1):
        area, since, until, categories, agency_id = _made_up(shape, n)
        sql, params = _statement(area, since, until, categories, agency_id)
        values = _values(area, since, until, categories, agency_id, 7 + n)
        compiled.append((sql, [*params, 7 + n + 1], values))
    (sql, first, values), (sql_again, second, values_again) = compiled
    if sql != sql_again or len(first) != len(second):
        return None
    slots: list[Any] = []
    for one, other in zip(first, second, strict=True):
        slot = next((name for name, value in values.items() if _same(one, value)), None)
        if slot is not None and _same(other, values_again[slot]):
            slots.append(_Slot(slot))
        elif slot is None and _same(one, other):
            slots.append(one)
        else:
            log.warning("public map: shape %s not prepared (parameter %r)", shape, one)
            return None
    return _Prepared(sql, tuple(slots))
