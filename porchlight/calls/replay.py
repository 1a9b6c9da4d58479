"""Quarantine replay: run a held event through intake again, once its mapping is fixed.

A replay goes through `intake.ingest`, the same path as the API, with the item's original
source and agency, so idempotency and ordering hold exactly as for a live event. Items are
replayed set-based: one `ingest` call per (agency, source) group, not one per item.

A replay that is rejected again must not add a second quarantine row for the same event, so
`ingest` is called with `quarantine=False` and the existing row keeps the new reason. Doing it
this way (rather than deleting the row ingest would write) keeps ingest's insert and our update
from ever disagreeing about which row is the event's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from porchlight.agencies.models import Agency
from porchlight.audit.log import record
from porchlight.calls.changes import Applied
from porchlight.calls.intake import APPLIED, DUPLICATE, Feed, ingest
from porchlight.calls.models import Quarantine

# The most events one ingest call takes, as for the API.
CHUNK = 1000


@dataclass
class ReplayResult:
    resolved: list[Quarantine] = field(default_factory=list)
    still_open: list[Quarantine] = field(default_factory=list)
    skipped: int = 0  # no longer open when the replay came to them (someone else got there first)
    applied: list[Applied] = field(default_factory=list)


def replay(
    item: Quarantine, *, request: HttpRequest | None = None, actor: Any = None
) -> ReplayResult:
    return replay_many([item.pk], request=request, actor=actor)


def replay_many(
    ids: Iterable[int], *, request: HttpRequest | None = None, actor: Any = None
) -> ReplayResult:
    """Replay the open items among `ids`. Callers scope `ids` to the staff member's agency."""
    result = ReplayResult()
    ids = list(dict.fromkeys(ids))
    for start in range(0, len(ids), CHUNK):
        _replay_chunk(ids[start : start + CHUNK], result, request, actor)
    return result


def _replay_chunk(
    ids: list[int], result: ReplayResult, request: HttpRequest | None, actor: Any
) -> None:
    with transaction.atomic():
        qs = Quarantine.objects.filter(pk__in=ids, state=Quarantine.State.OPEN).select_related(
            "agency"
        )
        if connection.features.has_select_for_update:
            # Two staff replaying the same item at once: the second waits, then finds it resolved.
            # SQLite's IMMEDIATE transaction already serialises writers.
            qs = qs.select_for_update(of=("self",))
        items = list(qs.order_by("arrived_at", "id"))
        result.skipped += len(ids) - len(items)

        # RMS case events share the quarantine; each goes back through its own intake.
        from porchlight.cases import rms
        from porchlight.cases.schemas import is_case_event

        groups: dict[tuple[int, str, bool], list[Quarantine]] = defaultdict(list)
        for item in items:
            groups[(item.agency_id, item.source, is_case_event(item.raw))].append(item)

        now = timezone.now()
        for (_, _, case_events), group in groups.items():
            agency = group[0].agency
            # The event is replayed as its agency's own: an event that was rejected because its
            # ORI was not covered is rejected again rather than routed somewhere new.
            feed = Feed(agency=agency, source=group[0].source, covered={agency.ori: agency})
            raws = [item.raw for item in group]
            if case_events:
                outcomes, _ = rms.ingest(feed, raws, quarantine=False)
            else:
                outcomes, applied = ingest(feed, raws, quarantine=False)
                result.applied.append(applied)
            for item, outcome in zip(group, outcomes, strict=True):
                if outcome.result in (APPLIED, DUPLICATE):
                    item.state = Quarantine.State.REPLAYED
                    item.resolved_at = now
                    item.resolution = f"{outcome.result}: {outcome.reason}"[:200]
                    result.resolved.append(item)
                else:
                    item.reason = outcome.reason
                    item.kind = Quarantine.Kind(outcome.result)
                    result.still_open.append(item)
                record(
                    "quarantine.replay",
                    request=request,
                    actor=actor,
                    agency=agency,
                    target=item,
                    changes={"result": outcome.result, "reason": outcome.reason},
                )
        Quarantine.objects.bulk_update(
            items, ["state", "resolved_at", "resolution", "reason", "kind"]
        )


def discard(
    item: Quarantine, reason: str, *, request: HttpRequest | None = None, actor: Any = None
) -> bool:
    """Close an open item without applying it. False when it was no longer open."""
    now = timezone.now()
    with transaction.atomic():
        # A conditional UPDATE, so a discard racing a replay cannot close a resolved item twice.
        changed = Quarantine.objects.filter(pk=item.pk, state=Quarantine.State.OPEN).update(
            state=Quarantine.State.DISCARDED, resolved_at=now, resolution=reason[:200]
        )
        if not changed:
            return False
        record(
            "quarantine.discard",
            request=request,
            actor=actor,
            agency=item.agency,
            target=item,
            changes={"reason": reason},
        )
    item.state, item.resolved_at, item.resolution = Quarantine.State.DISCARDED, now, reason[:200]
    return True


def affected(agency_id: int, field_name: str, code: str) -> list[Quarantine]:
    """Open items of an agency whose raw event carries this code (status, call_type, priority).

    The raw event is encrypted, so this reads the agency's open items and matches in Python;
    the open quarantine is small by nature (it is worked down by staff).
    """
    wanted = code.upper()
    out = []
    for item in Quarantine.objects.filter(
        agency_id=agency_id, state=Quarantine.State.OPEN
    ).order_by("arrived_at", "id"):
        raw = item.raw
        value = raw.get(field_name) if isinstance(raw, dict) else None
        if isinstance(value, str) and value.upper() == wanted:
            out.append(item)
    return out


def discard_by_reason(
    scope: QuerySet[Quarantine],
    reason_text: str,
    resolution: str,
    *,
    request: HttpRequest | None = None,
    actor: Any = None,
) -> int:
    """Discard every open item in `scope` held for exactly `reason_text`, in one UPDATE per
    agency, with one audit entry per agency naming the reason and the count. Returns the count.

    For a burst of one kind of bad event (a fuzzer, a CAD bug), where one-by-one would take
    all day. Callers scope the queryset to the staff member's agency."""
    now = timezone.now()
    total = 0
    with transaction.atomic():
        open_items = scope.filter(state=Quarantine.State.OPEN, reason=reason_text)
        by_agency: dict[int, list[int]] = defaultdict(list)
        for pk, agency_id in open_items.values_list("pk", "agency_id"):
            by_agency[agency_id].append(pk)
        for agency_id, ids in by_agency.items():
            n = Quarantine.objects.filter(pk__in=ids, state=Quarantine.State.OPEN).update(
                state=Quarantine.State.DISCARDED, resolved_at=now, resolution=resolution[:200]
            )
            total += n
            record(
                "quarantine.discard_by_reason",
                request=request,
                actor=actor,
                agency=Agency.objects.get(pk=agency_id),
                changes={"held_for": reason_text, "reason": resolution, "count": n},
            )
    return total
