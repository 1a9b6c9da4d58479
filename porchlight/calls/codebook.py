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

from dataclasses import dataclass

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


def _key(agency_id: int) -> tuple[str, int]:
    return (str(connection.settings_dict["NAME"]), agency_id)


def current_version(agency_id: int) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL, [agency_id])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def for_agency(agency_id: int) -> Codebook:
    """The agency's tables, from the cache when its token still matches the database's. Call it
    inside the transaction that applies the mapping."""
    key = _key(agency_id)
    version = current_version(agency_id)
    cached = _CACHE.get(key)
    if cached is not None and version is not None and cached.version == version:
        return cached
    book = _load(agency_id, version)
    if version is not None:
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


def clear() -> None:
    """Empty the cache (tests that simulate a fresh process)."""
    _CACHE.clear()
