"""Each agency's mapping tables (status codes, call types, priority codes), cached per process.

Intake needs them for every batch, and reading them cost three queries a batch. The cache is
checked against `MappingVersion` with one indexed read per batch, inside the batch's own
transaction; triggers (migration 0008) change that token in the same transaction as any change
to the tables, by any path, and never reuse a token. So:

- a change committed before the batch read the token is seen: the token differs, and the
  tables are read again;
- a change committed after it is ordered after the batch, exactly as if the batch had read the
  tables itself at that moment;
- the token is read *before* the tables when they are loaded, so a change committed in between
  leaves the entry with the older token, and the next batch reloads it;
- a token from a transaction that rolled back is never issued again, so an entry filled from
  rolled-back rows can never be taken for current.

Codes missing from an entry (a code created since it was loaded: intake creates unknown codes
without changing the token) are looked up in the database by the caller; the entry is dropped
when that transaction commits, so the next batch loads them too.

The "needs mapping" race with staff is handled separately and still holds (calls/unmapped.py):
intake re-reads the flags of unmapped codes under FOR SHARE before it locks any call.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from porchlight.agencies.models import PriorityCode, StatusCode
from porchlight.calls.models import CallType

_VERSION_SQL = "SELECT version FROM calls_mappingversion WHERE agency_id = %s"


@dataclass(frozen=True)
class Codebook:
    """One agency's mapping tables as of `version`. Read only: shared by every batch."""

    version: int | None
    statuses: dict[str, str]  # the agency's CAD status code -> Porchlight status
    call_types: dict[str, CallType]  # by code
    call_types_by_id: dict[int, CallType]
    priorities: dict[str, PriorityCode]  # by code
    priorities_by_id: dict[int, PriorityCode]


# (database name, agency id) -> entry. The database name keeps test databases and the bench's
# engines apart within one process.
_CACHE: dict[tuple[str, int], Codebook] = {}


def key(agency_id: int) -> tuple[str, int]:
    """The cache key of an agency in this database (shared with calls/ahead.py)."""
    return _key(agency_id)


def _key(agency_id: int) -> tuple[str, int]:
    return (str(connection.settings_dict["NAME"]), agency_id)


def current_version(agency_id: int) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL, [agency_id])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


# The triggers of migrations 0008 (the mapping tables) and 0010 (what planning and inviting
# read, cached by calls/ahead.py with the same token) that keep the token honest. On SQLite, a later migration that
# alters one of these tables rebuilds it (new table, copy, rename), which drops its triggers
# silently; so the cache checks, once per process and database, that they are all there, and
# reads the tables fresh every batch when one is missing (test_mapping_cache_triggers.py fails
# in that case, so it does not go unnoticed).
_AHEAD_TABLES = ("rule", "deliverysettings", "sender", "survey", "shift", "feedbacksettings")
TRIGGERS = frozenset(
    {
        "calls_mapping_version_statuscode",
        "calls_mapping_version_calltype",
        "calls_mapping_version_prioritycode",
        "calls_mapping_version_agency",
        *(f"calls_mapping_version_{name}" for name in _AHEAD_TABLES),
        "calls_mapping_version_sender_upd",
    }
)
_SQLITE_TRIGGERS = frozenset(
    {
        "calls_mapping_version_statuscode_ins",
        "calls_mapping_version_statuscode_upd",
        "calls_mapping_version_statuscode_del",
        "calls_mapping_version_calltype_upd",
        "calls_mapping_version_calltype_del",
        "calls_mapping_version_prioritycode_upd",
        "calls_mapping_version_prioritycode_del",
        "calls_mapping_version_agency_ins",
        *(
            f"calls_mapping_version_{name}_{op}"
            for name in _AHEAD_TABLES
            for op in ("ins", "upd", "del")
        ),
    }
)
_TRIGGERS_OK: dict[str, bool] = {}


def missing_triggers() -> set[str]:
    """The token's triggers that are not in the database (empty when all is well)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'calls_mapping_version%%'"
            )
            wanted = TRIGGERS
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master "
                "WHERE type = 'trigger' AND name LIKE 'calls_mapping_version%%'"
            )
            wanted = _SQLITE_TRIGGERS
        return set(wanted) - {row[0] for row in cursor.fetchall()}


def versions(agency_ids: Collection[int]) -> dict[int, int]:
    """The tokens of these agencies, in one read (calls/ahead.py checks them again after it
    loaded its tables)."""
    if not agency_ids:
        return {}
    ids = sorted(agency_ids)
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT agency_id, version FROM calls_mappingversion WHERE agency_id IN ({marks})",
            ids,
        )
        return {int(a): int(v) for a, v in cursor.fetchall()}


def cacheable() -> bool:
    """Whether every trigger behind the token is in this database (checked once per process
    and database)."""
    return _cacheable()


def _cacheable() -> bool:
    name = str(connection.settings_dict["NAME"])
    ok = _TRIGGERS_OK.get(name)
    if ok is None:
        ok = _TRIGGERS_OK[name] = not missing_triggers()
    return ok


def for_agency(agency_id: int) -> Codebook:
    """The agency's tables, from the cache when its token still matches the database's. Call it
    inside the transaction that applies the mapping."""
    key = _key(agency_id)
    version = current_version(agency_id)
    cached = _CACHE.get(key)
    if cached is not None and version is not None and cached.version == version:
        return cached
    book = _load(agency_id, version)
    if version is not None and _cacheable():
        # Every agency gets a token (migration 0008, then a trigger on insert); should its row
        # be missing, the tables are read fresh every time rather than cached with nothing to
        # invalidate them.
        _CACHE[key] = book
    return book


def _load(agency_id: int, version: int | None) -> Codebook:
    # .order_by(): the models' default ordering is for staff lists.
    statuses = dict(
        StatusCode.objects.filter(agency_id=agency_id).order_by().values_list("code", "status")
    )
    types = list(CallType.objects.filter(agency_id=agency_id).order_by())
    priorities = list(PriorityCode.objects.filter(agency_id=agency_id).order_by())
    return Codebook(
        version=version,
        statuses=statuses,
        call_types={t.code: t for t in types},
        call_types_by_id={t.pk: t for t in types},
        priorities={p.code: p for p in priorities},
        priorities_by_id={p.pk: p for p in priorities},
    )


def forget_on_commit(agency_id: int) -> None:
    """Drop the agency's entry once the current transaction commits: it created codes the entry
    lacks (no token change for those), so the next batch loads them."""
    key = _key(agency_id)
    transaction.on_commit(lambda: _CACHE.pop(key, None))


# Other per-process caches checked against the same token (calls/ahead.py), emptied with
# this one.
_SHARING: list[dict[Any, Any]] = []


def share(cache: dict[Any, Any]) -> None:
    """Register another cache keyed by `key()` and checked against the same token, so that
    clear() empties it too."""
    _SHARING.append(cache)


def clear() -> None:
    """Empty the caches (tests that simulate a fresh process)."""
    _CACHE.clear()
    for cache in _SHARING:
        cache.clear()
    _TRIGGERS_OK.clear()
