"""CAD intake: validate a batch of events, route it, and apply it set-based.

Every entry point (the HTTP API, the drop folder, history import, quarantine replay) ends here,
so the rules hold the same way everywhere:

- idempotent on (agency, source, event id); the same id with other content is a conflict,
  recorded and not applied;
- events apply in CAD-time order whatever order they arrive in, and a call's status only moves
  forward;
- the first event seen for an incident creates the call, whatever its status;
- unknown call types and priority codes are applied, flagged, and treated as sensitive;
- anything that cannot be applied is quarantined whole, with its reason.

A batch costs a handful of statements, none per event (see docs/performance.md): one
transaction, reads with `IN (...)`, and bulk inserts and updates.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson
from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from pydantic import ValidationError

from porchlight.agencies.models import Agency, PriorityCode
from porchlight.calls import ahead, bulk, codebook, reasons, rows, sensitive, unmapped
from porchlight.calls.changes import Applied, AppliedEvent
from porchlight.calls.models import (
    FINAL,
    STATUS_RANK,
    STATUS_TIME_FIELD,
    Call,
    CallType,
    Event,
    Quarantine,
    QuarantineOverflow,
    Status,
)
from porchlight.calls.schemas import EVENT_LIST, CadEvent, window_context
from porchlight.feedback import invite
from porchlight.notify import pii, plan
from porchlight.notify.models import Channel, Contact

APPLIED, DUPLICATE, CONFLICT, REJECTED = "applied", "duplicate", "conflict", "rejected"

# Plain-string copies of the status tables: the hot loop runs per event, and building enum
# members or translating labels there cost more than the database writes (measured).
_STATUSES = frozenset(Status.values)
_RANK = {str(k): v for k, v in STATUS_RANK.items()}
_FINAL = frozenset(str(s) for s in FINAL)
_TIME_FIELD = {str(k): v for k, v in STATUS_TIME_FIELD.items()}
_WORDS = {
    "received": "received",
    "pending": "pending",
    "dispatched": "dispatched",
    "enroute": "en route",
    "onscene": "on scene",
    "cleared": "cleared",
    "cancelled": "cancelled",
}

# Call fields an event can set. A newer event overwrites them; an older one only fills blanks.
_SCALARS = (
    "disposition",
    "address",
    "lat",
    "lon",
    "beat",
    "district",
    "call_taker_id",
    "report_number",
    "caller_language",
)
_UPDATE_FIELDS = [
    "call_type",
    "priority",
    "status",
    "first_event_at",
    "last_event_at",
    "received_at",
    "dispatched_at",
    "enroute_at",
    "onscene_at",
    "cleared_at",
    "cancelled_at",
    "cleared_time_unknown",
    "units",
    "caller_phone",
    "caller_email",
    "do_not_contact",
    "juvenile",
    "needs_mapping",
    "historical",
    "updated",
    *_SCALARS,
]
_CALL_FIELDS = [f.name for f in Call._meta.concrete_fields if not f.primary_key]
_EVENT_FIELDS = [
    "agency",
    "source",
    "event_id",
    "content_hash",
    "call",
    "status",
    "event_time",
    "arrived_at",
    "historical",
    "payload",
]
_CONTACT_FIELDS = [
    "agency", "channel", "address_hash", "address_enc", "created", "purged_at", "undeliverable",
    "line_type",
]  # fmt: skip


@dataclass
class Outcome:
    index: int
    event_id: str | None
    result: str
    reason: str
    incident_number: str | None = None
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "event_id": self.event_id,
            "result": self.result,
            "reason": self.reason,
            "incident_number": self.incident_number,
            "warnings": self.warnings,
        }


@dataclass
class Feed:
    """Who is sending: the source name, and the agencies the sender may write for."""

    agency: Agency  # the agency named in the request; events without an ORI go here
    source: str
    covered: dict[str, Agency]  # ORI -> agency, the named agency included
    historical: bool = False
    import_run_id: int | None = None  # the history import run creating calls, for its undo


@dataclass
class _Item:
    index: int
    raw: Any
    event: CadEvent
    agency: Agency
    content_hash: str
    status: str = ""
    warnings: list[str] = field(default_factory=list)


def content_hash(raw: Any, blob: bytes | None = None) -> str:
    """`blob`: the event's `_sorted_json`, when the caller made it already."""
    if blob is None:
        blob = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(blob).hexdigest()


def _error_text(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False)[:5]:
        loc = ".".join(str(p) for p in err["loc"]) or "event"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


def _nul_path(value: Any, path: str = "") -> str | None:
    """Where a NUL character sits in a JSON value (a key or a string), or None."""
    if isinstance(value, str):
        return (path or "event") if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return here.replace("\x00", "\\u0000")
            if (found := _nul_path(item, here)) is not None:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if (found := _nul_path(item, f"{path}.{i}" if path else str(i))) is not None:
                return found
    return None


def _has_nul(raw: Any, blob: bytes | None = None) -> str | None:
    """The field holding a NUL byte, if any. PostgreSQL cannot store NUL in text or jsonb, so
    such an event is refused on both engines alike, before anything is written.

    `blob`: the event as JSON already (`_sorted_json`), when the caller has it."""
    try:
        # orjson escapes NUL as \u0000: one fast scan of the bytes, and the exact walk only on
        # a hit (a literal backslash-u0000 in the text is not a NUL).
        if b"\\u0000" not in (orjson.dumps(raw) if blob is None else blob):
            return None
    except (TypeError, orjson.JSONEncodeError):
        pass
    return _nul_path(raw)


def _sorted_json(raw: Any) -> bytes | None:
    """The event as the content hash reads it (keys sorted), or None when it is not JSON.
    Made once an event and used twice: for the NUL check and the hash (was a dump each)."""
    try:
        return orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        return None


def _validate(
    raw_events: Sequence[Any],
    refused: Sequence[str | None] | None = None,
    blobs: Sequence[bytes | None] | None = None,
) -> list[CadEvent | str]:
    """Each event validated, or the reason it is invalid. One pass when the batch is clean.
    `blobs`: the events' `_sorted_json`, when the caller made them."""
    if blobs is None:
        nul = [_has_nul(raw) for raw in raw_events]
    else:
        nul = [_has_nul(raw, blob) for raw, blob in zip(raw_events, blobs, strict=True)]
    if refused is not None and any(refused):
        # An adapter (EIDO) could not make an event of these: its reason stands.
        nul = [r if r is not None else n for r, n in zip(refused, nul, strict=True)]
    # The plausible-time window, worked out once for the batch (schemas.window_context).
    context = window_context()
    if not any(nul):
        try:
            return list(EVENT_LIST.validate_python(raw_events, context=context))
        except ValidationError:
            pass
    out: list[CadEvent | str] = []
    for raw, nul_field in zip(raw_events, nul, strict=True):
        if nul_field is not None:
            refusal = refused[len(out)] if refused is not None else None
            out.append(refusal or reasons.text("nul_byte", field=nul_field))
            continue
        if not isinstance(raw, dict):
            out.append("an event must be a JSON object")
            continue
        try:
            out.append(CadEvent.model_validate(raw, context=context))
        except ValidationError as exc:
            out.append(_error_text(exc))
    return out


def _event_id_of(raw: Any) -> str | None:
    if isinstance(raw, dict) and raw.get("event_id") is not None:
        # NUL removed: this copy is stored in the quarantine row, which cannot hold it.
        return str(raw["event_id"]).replace("\x00", "")[:100]
    return None


def ingest(
    feed: Feed,
    raw_events: Sequence[Any],
    *,
    quarantine: bool = True,
    refused: Sequence[str | None] | None = None,
) -> tuple[list[Outcome], Applied]:
    """Apply a batch. Returns one outcome per event, in order, and what was applied.

    `quarantine=False` is for quarantine replay only: the events are already held in the
    quarantine, so a second rejection updates that row instead of adding another.
    `refused` (from an adapter such as EIDO) gives, per item, the reason it could not be made
    into an event, or None: those items are rejected and quarantined whole with that reason.
    """
    outcomes: list[Outcome | None] = [None] * len(raw_events)
    rejects: list[tuple[Agency, Any, Outcome]] = []
    items = _items(feed, raw_events, refused, outcomes, rejects)

    # Calls and contacts are created with ON CONFLICT DO NOTHING and then locked in incident
    # order, so concurrent batches touching the same calls queue rather than fail. What can
    # still collide (the same new event id in two batches in flight, or a deadlock across
    # agencies) rolls back whole and is retried; the retry sees the other batch's rows.
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            # pipelined(): the writes nobody reads the result of (events, calls, outbox rows,
            # links) go with the next statement that needs an answer, the last ones with the
            # COMMIT (calls/bulk.py).
            with transaction.atomic(), bulk.pipelined(commit=True):
                applied = Applied(source=feed.source)
                by_agency: dict[int, list[_Item]] = defaultdict(list)
                for item in items:
                    by_agency[item.agency.pk].append(item)
                batch_rejects = list(rejects)
                # Every agency's events prepared (statuses mapped, duplicates sorted out,
                # codes and contacts found) before any call is locked, and what planning
                # reads per agency read too: concurrent batches on the same calls wait for
                # each other from the first call lock to the commit, so nothing that does
                # not need the locked calls runs in that window (docs/performance.md, fourth
                # pass: the wait dominated the API's batches of 100).
                groups = [
                    (group, prepared)
                    for group in by_agency.values()
                    if (prepared := _prepare(feed, group, outcomes, batch_rejects)) is not None
                ]
                applied.standing, applied.ready = _ahead(feed, groups)
                if applied.ready is not None:
                    applied.callers = _callers_ahead(groups)
                for group, prepared in groups:
                    _apply_agency(feed, group, outcomes, applied, prepared)
                # In the same transaction: a message exists exactly when its cause committed.
                plan.calls(applied)
                invite.after_calls_cleared(applied)  # survey invitations, same transaction
                if quarantine:
                    _quarantine(feed, batch_rejects)
            break
        except (IntegrityError, OperationalError) as exc:
            if attempt == _ATTEMPTS or not _retryable(exc):
                raise
    return [o for o in outcomes if o is not None], applied


def _items(
    feed: Feed,
    raw_events: Sequence[Any],
    refused: Sequence[str | None] | None,
    outcomes: list[Outcome | None],
    rejects: list[tuple[Agency, Any, Outcome]],
) -> list[_Item]:
    """The batch's valid events routed to their agency; the rest rejected with their reason.
    Shared by ingest() and history import's staged path (calls/importing/staged.py)."""
    blobs = [_sorted_json(raw) for raw in raw_events]
    validated = _validate(raw_events, refused, blobs)
    items: list[_Item] = []
    for index, (raw, ev) in enumerate(zip(raw_events, validated, strict=True)):
        if isinstance(ev, str):
            outcome = Outcome(index, _event_id_of(raw), REJECTED, ev, _incident_of(raw))
            rejects.append((feed.agency, raw, outcome))
            outcomes[index] = outcome
            continue
        agency = feed.agency
        if ev.ori is not None and ev.ori != feed.agency.ori:
            routed = feed.covered.get(ev.ori)
            if routed is None:
                outcome = Outcome(
                    index,
                    ev.event_id,
                    REJECTED,
                    f"ORI {ev.ori} is not covered by this key",
                    ev.incident_number,
                )
                rejects.append((feed.agency, raw, outcome))
                outcomes[index] = outcome
                continue
            agency = routed
        items.append(_Item(index, raw, ev, agency, content_hash(raw, blobs[index])))
    return items


_ATTEMPTS = 4
# Unique violation, deadlock, serialization failure, SQLite busy.
_RETRY_SQLSTATES = {"23505", "40P01", "40001"}


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) in _RETRY_SQLSTATES or "locked" in str(exc)


def _incident_of(raw: Any) -> str | None:
    if isinstance(raw, dict) and raw.get("incident_number") is not None:
        return str(raw["incident_number"]).replace("\x00", "")[:40]
    return None


def _quarantine(feed: Feed, rejects: list[tuple[Agency, Any, Outcome]]) -> None:
    if not rejects:
        return
    rejects = _within_cap(feed, rejects)
    if not rejects:
        return
    Quarantine.objects.bulk_create(
        [
            Quarantine(
                agency=agency,
                source=feed.source,
                event_id=outcome.event_id or "",
                incident_number=outcome.incident_number or "",
                kind=Quarantine.Kind.CONFLICT
                if outcome.result == CONFLICT
                else Quarantine.Kind.REJECTED,
                reason=outcome.reason,
                raw_enc=pii.encrypt(orjson.dumps(raw).decode()),
            )
            for agency, raw, outcome in rejects
        ]
    )


def _within_cap(
    feed: Feed, rejects: list[tuple[Agency, Any, Outcome]]
) -> list[tuple[Agency, Any, Outcome]]:
    """The rejects the quarantine keeps: at most QUARANTINE_MAX_PER_HOUR per feed (agency and
    source) in the current hour. The rest are counted by reason in QuarantineOverflow; their
    senders still got each reason in the answer. One count query per agency in the batch, and
    only when the batch has rejects."""
    limit = settings.QUARANTINE_MAX_PER_HOUR
    now = timezone.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    by_agency: dict[int, list[tuple[Agency, Any, Outcome]]] = defaultdict(list)
    for reject in rejects:
        by_agency[reject[0].pk].append(reject)
    kept: list[tuple[Agency, Any, Outcome]] = []
    for agency_id, group in by_agency.items():
        held = Quarantine.objects.filter(
            source=feed.source, agency_id=agency_id, arrived_at__gte=hour
        ).count()
        room = max(0, limit - held)
        kept.extend(group[:room])
        dropped: dict[str, int] = defaultdict(int)
        for _, _, outcome in group[room:]:
            dropped[outcome.reason[:200]] += 1
            outcome.warnings.append(reasons.text("not_kept", limit=limit))
        for reason, n in dropped.items():
            row, created = QuarantineOverflow.objects.get_or_create(
                agency_id=agency_id,
                source=feed.source,
                hour=hour,
                reason=reason,
                defaults={"count": n},
            )
            if not created:
                QuarantineOverflow.objects.filter(pk=row.pk).update(count=F("count") + n)
    return kept


def overflow_since(agency_ids: Iterable[int] | None, since: datetime) -> int:
    """How many rejected events the quarantine did not keep since `since`."""
    qs = QuarantineOverflow.objects.filter(hour__gte=since - timedelta(hours=1))
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=list(agency_ids))
    return sum(qs.values_list("count", flat=True))


def _ahead(
    feed: Feed, groups: list[tuple[list[_Item], _Prepared]]
) -> tuple[plan.Standing | None, invite.Ready | None]:
    """What planning and inviting read per agency, before the batch locks any call: the rules
    and delivery settings when anything can be planned, and the surveys and shifts when an
    event clears a call, from this process's cache when the agencies' tokens (read by
    `_prepare`) still match (calls/ahead.py). History plans nothing. A single event uses the
    cache only when it is current, and otherwise reads them lazily, as before: it often needs
    none of them (no caller, nothing fired), and a lone event's window is short anyway."""
    if feed.historical or not groups:
        return None, None
    agencies = {group[0].agency.pk: group[0].agency for group, _ in groups}
    versions = {group[0].agency.pk: prepared.book.version for group, prepared in groups}
    clears = any(item.status == Status.CLEARED for _, p in groups for item in p.fresh)
    load = sum(len(prepared.fresh) for _, prepared in groups) >= 2
    return ahead.read(agencies, versions, clears=clears, load=load)


def _callers_ahead(groups: list[tuple[list[_Item], _Prepared]]) -> dict[int, Contact] | None:
    """The contacts the batch's survey invitations may need, read before any call is locked
    (feedback.invite.callers_ahead): its callers, and the callers of the calls it clears."""
    clearing = sorted(
        {
            (item.agency.pk, item.event.incident_number)
            for _, prepared in groups
            for item in prepared.fresh
            if item.status == Status.CLEARED
        }
    )
    ids = {pk for _, prepared in groups for pk in prepared.contacts.values()}
    return invite.callers_ahead(ids, clearing)


def _apply_agency(
    feed: Feed,
    items: list[_Item],
    outcomes: list[Outcome | None],
    applied: Applied,
    prepared: _Prepared,
) -> None:
    """Fold one agency's prepared events into its calls: lock them (creating the new ones),
    merge, write the events and the calls."""
    agency = items[0].agency
    now = timezone.now()
    fresh, book, contacts = prepared.fresh, prepared.book, prepared.contacts
    call_types, priorities = prepared.call_types, prepared.priorities

    # CAD-time order, arrival order for ties, whatever order the batch came in.
    fresh.sort(key=lambda i: (i.event.event_time, i.index))
    first: dict[str, _Item] = {}
    for item in fresh:
        first.setdefault(item.event.incident_number, item)
    # Sorted, so that concurrent batches take their row locks in the same order.
    numbers = sorted(first)
    # Existing calls first, locked in incident order; then the missing ones created with
    # ON CONFLICT DO NOTHING and read back from RETURNING (ours, so locked too). A number
    # another batch created in between is read and locked after it commits.
    calls = rows.lock_calls(agency.pk, numbers)
    missing = [n for n in numbers if n not in calls]
    created: set[str] = set()
    if missing:
        # The first event seen for an incident creates the call, whatever its status.
        new = [
            _new_call(agency.pk, n, first[n], feed.historical, feed.import_run_id, now)
            for n in missing
        ]
        returned = bulk.insert(
            Call, _CALL_FIELDS, new, ignore_conflicts=True, returning=rows.CALL_COLUMN_NAMES
        )
        if returned is None:
            # SQLite: the IMMEDIATE transaction excludes other writers, so what was missing
            # is ours; it has no RETURNING through executemany, so read the rows back.
            created = set(missing)
            calls.update(rows.lock_calls(agency.pk, missing))
        else:
            made = {c.incident_number: c for c in map(rows.call_from_row, returned)}
            created = set(made)
            calls.update(made)
            if others := [n for n in missing if n not in made]:
                calls.update(rows.lock_calls(agency.pk, others))
    applied.new_call_ids.update(calls[n].id for n in created)

    # Every call type and priority code a call in this batch can point at: their flags decide
    # needs_mapping here (unmapped.needs_mapping), and the planner's exclusions after (handed
    # over in `applied`).
    types_by_id = {ct.pk: ct for ct in call_types.values()}
    other_types = {c.call_type_id for c in calls.values() if c.call_type_id is not None}
    other_types -= types_by_id.keys()
    types_by_id.update(
        (pk, book.call_types_by_id[pk]) for pk in other_types & book.call_types_by_id.keys()
    )
    other_types -= types_by_id.keys()
    if other_types:
        types_by_id.update(
            (ct.pk, ct) for ct in CallType.objects.filter(pk__in=other_types).order_by()
        )
    priorities_by_id = {p.pk: p for p in priorities.values()}
    other_priorities = {c.priority_id for c in calls.values() if c.priority_id is not None}
    other_priorities -= priorities_by_id.keys()
    priorities_by_id.update(
        (pk, book.priorities_by_id[pk]) for pk in other_priorities & book.priorities_by_id.keys()
    )
    other_priorities -= priorities_by_id.keys()
    if other_priorities:
        priorities_by_id.update(
            (p.pk, p) for p in PriorityCode.objects.filter(pk__in=other_priorities).order_by()
        )
    applied.call_types.update(types_by_id)
    applied.priorities.update(priorities_by_id)
    for call in calls.values():
        if call.id not in applied.status_before:
            applied.status_before[call.id] = (
                None if call.incident_number in created else call.status
            )
            applied.report_before[call.id] = (
                "" if call.incident_number in created else call.report_number
            )

    changed: dict[int, Call] = {}
    event_rows: list[list[Any]] = []
    source, historical = feed.source, feed.historical
    for item in fresh:
        ev = item.event
        call = calls[ev.incident_number]
        creates = call.id in applied.new_call_ids and call.id not in changed
        reason = _merge(
            call, item, call_types, priorities, contacts, creates=creates, historical=historical
        )
        call.needs_mapping = unmapped.needs_mapping(
            types_by_id.get(call.call_type_id), priorities_by_id.get(call.priority_id)
        )
        call.updated = now
        changed[call.id] = call
        # In _EVENT_FIELDS order.
        event_rows.append(
            [
                agency.pk,
                source,
                ev.event_id,
                item.content_hash,
                call.id,
                item.status,
                ev.event_time,
                now,
                historical,
                _payload(item),
            ]
        )
        applied.events.append(AppliedEvent(call.id, ev.event_id, item.status, ev.event_time))
        outcomes[item.index] = Outcome(
            item.index, ev.event_id, APPLIED, reason, ev.incident_number, item.warnings
        )

    bulk.insert(Event, _EVENT_FIELDS, event_rows)
    bulk.update(Call, _UPDATE_FIELDS, list(changed.values()))
    applied.calls.update(changed)


@dataclass
class _Prepared:
    fresh: list[_Item]
    book: codebook.Codebook
    call_types: dict[str, Any]
    priorities: dict[str, Any]
    contacts: dict[tuple[str, str], int]


def _prepare(
    feed: Feed,
    items: list[_Item],
    outcomes: list[Outcome | None],
    rejects: list[tuple[Agency, Any, Outcome]],
) -> _Prepared | None:
    """One agency's events before anything is folded into calls: statuses mapped, duplicates
    and conflicts sorted out, call types, priorities and contacts found or created. None when
    no event is left to apply. Shared by ingest() and history import's staged path."""
    agency = items[0].agency

    # The agency's mapping tables, from this process's cache when they have not changed
    # (calls/codebook.py): one indexed read instead of three queries.
    book = codebook.for_agency(agency.pk)
    # Status: Porchlight's own words, or the agency's mapping of its CAD's codes.
    mapped = book.statuses
    usable: list[_Item] = []
    for item in items:
        code = item.event.status
        low = code.lower()
        status = low if low in _STATUSES else mapped.get(code) or mapped.get(code.upper())
        if status is None:
            reason = f'unknown status "{code}": map it under Status codes, then replay this event'
            _reject(item, REJECTED, reason, outcomes, rejects)
            continue
        item.status = status
        usable.append(item)

    # Idempotency: an event id seen before is a duplicate when identical, else a conflict.
    ids = {item.event.event_id for item in usable}
    known = rows.known_events(agency.pk, feed.source, ids)
    fresh: list[_Item] = []
    for item in usable:
        seen = known.get(item.event.event_id)
        if seen is None:
            known[item.event.event_id] = item.content_hash
            fresh.append(item)
        elif seen == item.content_hash:
            outcomes[item.index] = Outcome(
                item.index,
                item.event.event_id,
                DUPLICATE,
                "already received; not applied again",
                item.event.incident_number,
            )
        else:
            reason = (
                "this event id was received before with different content; the first version stands"
            )
            _reject(item, CONFLICT, reason, outcomes, rejects)
    if not fresh:
        return None

    call_types = _codes(
        agency,
        CallType,
        {i.event.call_type: i.event.call_type_description for i in fresh if i.event.call_type},
        book.call_types,
    )
    priorities = _codes(
        agency,
        PriorityCode,
        {i.event.priority: "" for i in fresh if i.event.priority},
        book.priorities,
    )
    # Before any call is locked: a mapping change racing this batch waits for it, or it waits
    # for the change (unmapped.py says why the flag then cannot go stale).
    unmapped.hold(call_types, priorities)
    contacts = _contacts(agency, fresh)

    return _Prepared(fresh, book, call_types, priorities, contacts)


# A new call's row in _CALL_FIELDS order: the model's defaults, worked out once.
_CALL_DEFAULTS = {f.name: f.get_default() for f in Call._meta.concrete_fields if not f.primary_key}
_CALL_INDEX = {name: i for i, name in enumerate(_CALL_FIELDS)}


def _new_call(
    agency_id: int,
    number: str,
    first: _Item,
    historical: bool,
    import_run_id: int | None,
    now: datetime,
) -> list[Any]:
    row = [_CALL_DEFAULTS[name] for name in _CALL_FIELDS]
    row[_CALL_INDEX["units"]] = []  # a fresh list per call (the default is a callable's)
    at = first.event.event_time
    for name, value in (
        ("agency", agency_id),
        ("incident_number", number),
        ("first_event_at", at),
        ("last_event_at", at),
        ("status", first.status),
        ("historical", historical),
        ("import_run", import_run_id),
        ("created", now),
        ("updated", now),
    ):
        row[_CALL_INDEX[name]] = value
    return row


def _reject(
    item: _Item,
    result: str,
    reason: str,
    outcomes: list[Outcome | None],
    rejects: list[tuple[Agency, Any, Outcome]],
) -> None:
    outcome = Outcome(item.index, item.event.event_id, result, reason, item.event.incident_number)
    outcomes[item.index] = outcome
    rejects.append((item.agency, item.raw, outcome))


def _codes(
    agency: Agency,
    model: type[CallType] | type[PriorityCode],
    wanted: dict[str, str],
    cached: dict[str, Any],
) -> dict[str, Any]:
    """Rows for these codes, from the agency's cached tables, else from the database, creating
    unknown ones flagged for staff to map."""
    if not wanted:
        return {}
    found = {code: cached[code] for code in wanted if code in cached}
    if len(found) == len(wanted):
        return found
    # Created since the cache was filled (by intake, or by staff: inserts change no token), or
    # new: read them, and let the next batch reload the agency's tables.
    codebook.forget_on_commit(agency.pk)
    found.update(
        (row.code, row)
        for row in model.objects.filter(
            agency=agency, code__in=[c for c in wanted if c not in found]
        ).order_by()
    )
    missing = [code for code in wanted if code not in found]
    if missing:
        if model is CallType:
            # A type plainly sensitive by name starts out sensitive (calls/sensitive.py).
            new: list[Any] = []
            for c in missing:
                term = sensitive.matching_term(agency.sensitive_terms, c, wanted[c])
                new.append(
                    CallType(
                        agency=agency,
                        code=c,
                        description=wanted[c],
                        needs_mapping=True,
                        sensitive=bool(term),
                        sensitive_term=term,
                    )
                )
        else:
            new = [PriorityCode(agency=agency, code=c, rank=None) for c in missing]
        model.objects.bulk_create(new, ignore_conflicts=True)
        found.update(
            {
                row.code: row
                for row in model.objects.filter(agency=agency, code__in=missing).order_by()
            }
        )
    return found


def _contacts(agency: Agency, items: Iterable[_Item]) -> dict[tuple[str, str], int]:
    """Contact ids for every caller phone and email in the batch, keyed by (channel, address)."""
    wanted: dict[tuple[str, str], str] = {}
    for item in items:
        caller = item.event.caller
        if caller is None:
            continue
        if caller.phone:
            phone = pii.normalize_phone(caller.phone)
            if phone is None:
                item.warnings.append("caller.phone is not a usable phone number and was ignored")
            elif (key := (Channel.SMS, phone)) not in wanted:  # an HMAC per address, not per event
                wanted[key] = pii.lookup_hash(phone)
        if caller.email:
            email = caller.email.strip().lower()
            if "@" not in email or email.startswith("@") or email.endswith("@"):
                item.warnings.append("caller.email is not a usable address and was ignored")
            elif (key := (Channel.EMAIL, email)) not in wanted:
                wanted[key] = pii.lookup_hash(email)
    if not wanted:
        return {}

    found = rows.contact_ids(agency.pk, set(wanted.values()))
    now = timezone.now()
    # In _CONTACT_FIELDS order.
    missing = [
        [agency.pk, channel, digest, pii.encrypt(address), now, None, "", ""]
        for (channel, address), digest in wanted.items()
        if (channel, digest) not in found
    ]
    if missing:
        returned = bulk.insert(
            Contact,
            _CONTACT_FIELDS,
            missing,
            ignore_conflicts=True,
            returning=("id", "channel", "address_hash"),
        )
        found.update(((ch, h), pk) for pk, ch, h in returned or ())
        # SQLite (no RETURNING here), or created by a concurrent batch: read them.
        if unseen := {str(r[2]) for r in missing if (r[1], r[2]) not in found}:
            found.update(rows.contact_ids(agency.pk, unseen))
    return {key: found[(key[0], digest)] for key, digest in wanted.items()}


def _merge(
    call: Call,
    item: _Item,
    call_types: dict[str, CallType],
    priorities: dict[str, PriorityCode],
    contacts: dict[tuple[str, str], int],
    *,
    creates: bool,
    historical: bool,
) -> str:
    """Fold one event into its call, and say what it did."""
    ev = item.event
    at: datetime = ev.event_time
    newer = at >= call.last_event_at
    state = call.__dict__

    def put(attname: str, value: Any) -> None:
        # A newer event overwrites; an older one only fills what is still blank.
        if value is not None and value != "" and (newer or state[attname] in (None, "", [])):
            state[attname] = value

    if ev.call_type:
        put("call_type_id", call_types[ev.call_type].pk)
    if ev.priority:
        put("priority_id", priorities[ev.priority].pk)
    put("disposition", ev.disposition)
    put("call_taker_id", ev.call_taker_id)
    put("report_number", ev.report_number)
    if ev.units:
        put(
            "units",
            [
                {"id": u.id, "officers": [{"id": o.id, "name": o.name} for o in u.officers]}
                for u in ev.units
            ],
        )
    loc = ev.location
    if loc is not None:
        put("address", loc.address)
        put("lat", loc.lat)
        put("lon", loc.lon)
        put("beat", loc.beat)
        put("district", loc.district)
    caller = ev.caller
    if caller is not None:
        put("caller_language", caller.language.lower().replace("_", "-"))
        if caller.phone and (phone := pii.normalize_phone(caller.phone)):
            put("caller_phone_id", contacts[(Channel.SMS, phone)])
        if caller.email and (key := (Channel.EMAIL, caller.email.strip().lower())) in contacts:
            put("caller_email_id", contacts[key])
        # Once a caller asks not to be contacted, no later event can undo it.
        call.do_not_contact = call.do_not_contact or caller.do_not_contact
    call.juvenile = call.juvenile or ev.juvenile
    call.historical = call.historical and historical

    # Timestamps fill in from every event, early or late: the earliest report of a status wins.
    status = item.status
    time_field = _TIME_FIELD.get(status)
    if time_field:
        current = state[time_field]
        if current is None or at < current:
            state[time_field] = at
            if status in _FINAL:
                # The earliest report of the closing stands, and says whether it is the CAD's.
                call.cleared_time_unknown = ev.cleared_time_unknown
    if at < call.first_event_at:
        call.first_event_at = at
    if newer:
        call.last_event_at = at

    current_status = call.status
    number = call.incident_number
    if creates:
        return f"created call {number} ({_WORDS[status]})"
    if current_status in _FINAL and status != current_status:
        return f"logged; call {number} is already {_WORDS[current_status]}, status unchanged"
    if _RANK[status] > _RANK[current_status]:
        call.status = status
        return f"call {number} is now {_WORDS[status]}"
    return f"logged on call {number}; status stays {_WORDS[current_status]}"


def _payload(item: _Item) -> dict[str, Any]:
    """The event as stored in the log: everything but the caller's phone and email."""
    raw = dict(item.raw)
    caller = raw.get("caller")
    if isinstance(caller, dict):
        raw["caller"] = {k: v for k, v in caller.items() if k not in ("phone", "email")}
    raw["status"] = item.status
    return raw
