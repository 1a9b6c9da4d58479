"""Planning: which messages a batch of CAD events calls for, written to the outbox.

`calls()` runs inside intake's transaction (an explicit call from `calls.intake.ingest`), so a
message exists exactly when the change that caused it was committed: nothing is lost, nothing
invented. It is set-based like intake: one insert and at most one update per batch.

What is planned (the fixed slice of C2; the configurable rules engine replaces this table):
- a new call → the first text, due now, and a delay notice scheduled at the priority's
  threshold, which a dispatch cancels;
- a call that clears → the closing text; a cancelled call gets none.
Historical events (imports) plan nothing. An excluded call still gets its rows, suppressed with
the reason, so staff can see why a caller was not texted; the worker checks again at send time.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from porchlight.agencies.models import PriorityCode
from porchlight.calls import bulk
from porchlight.calls.models import Call, CallType
from porchlight.notify.models import URGENT, Channel, Outbox, State, Trigger

if TYPE_CHECKING:
    from porchlight.calls.intake import Applied

# Minutes a call may wait for dispatch before the caller is told, by priority rank. Rank 4 and
# above (and unranked codes) use the last value.
DEFAULT_DELAY_MINUTES = {1: 15, 2: 30, 3: 60}
LAST_DELAY_MINUTES = 60

_WAITING = ("received", "pending")

_FIELDS = [
    "agency", "contact", "channel", "trigger", "call", "dedupe_key", "state", "priority", "due_at",
    "language", "reason", "body", "attempts", "claimed_by", "claimed_at", "provider_id",
    "error_code", "sent_at", "delivered_at", "created", "updated", "rule", "sender", "expires_at",
    "subject",
]  # fmt: skip


def delay_minutes(priority: PriorityCode | None) -> int:
    if priority is not None and priority.delay_minutes is not None:
        return priority.delay_minutes
    rank = priority.rank if priority is not None else None
    return DEFAULT_DELAY_MINUTES.get(rank, LAST_DELAY_MINUTES) if rank else LAST_DELAY_MINUTES


def exclusion(call: Call, call_type: CallType | None) -> str:
    """Why this call must not be texted, or "" when it may be. Checked at plan and send time."""
    if call_type is None:
        return "no call type yet: unmapped calls are not texted"
    if call_type.needs_mapping:
        return f"call type {call_type.code} is not mapped yet"
    if call_type.sensitive:
        return "sensitive call type"
    if call.juvenile:
        return "juvenile involved"
    if call.do_not_contact:
        return "caller asked not to be contacted"
    return ""


def calls(applied: Applied) -> None:
    """Plan the messages for the calls this batch changed."""
    if not applied.calls:
        return
    now = timezone.now()
    changed: dict[int, Call] = {pk: c for pk, c in applied.calls.items() if not c.historical}
    if not changed:
        return
    statuses: dict[int, set[str]] = {}
    for ev in applied.events:
        statuses.setdefault(ev.call_id, set()).add(ev.status)

    # Intake already read the codes these calls point at; no second query here.
    types, priorities = applied.call_types, applied.priorities

    rows: list[list[Any]] = []
    stop_delay: list[int] = []

    def add(call: Call, trigger: str, due: Any, reason: str) -> None:
        contact_id = call.caller_phone_id
        assert contact_id is not None
        state = State.SUPPRESSED if reason else (State.PLANNED if due <= now else State.SCHEDULED)
        rows.append(
            [
                call.agency_id, contact_id, Channel.SMS, trigger, call.pk,
                Outbox.key(contact_id, trigger, call.pk, Channel.SMS), state, URGENT, due,
                call.caller_language, reason, "", 0, "", None, "", "", None, None, now, now, None, None,
                None, "",
            ]
        )  # fmt: skip

    for call in changed.values():
        seen = statuses.get(call.pk, set())
        before = applied.status_before.get(call.pk)
        # Only a call that was waiting before this batch can have a pending delay notice.
        if before in _WAITING and (call.dispatched_at is not None or call.is_final):
            stop_delay.append(call.pk)
        if call.caller_phone_id is None:
            continue
        reason = exclusion(call, types.get(call.call_type_id))  # type: ignore[arg-type]
        if call.pk in applied.new_call_ids and not call.is_final:
            add(call, Trigger.RECEIVED, now, reason)
            if call.dispatched_at is None:
                start = call.received_at or call.first_event_at
                due = start + timedelta(minutes=delay_minutes(priorities.get(call.priority_id)))  # type: ignore[arg-type]
                add(call, Trigger.DELAYED, max(due, now), reason)
        if "cleared" in seen and call.status == "cleared":
            add(call, Trigger.CLEARED, now, reason)

    if rows:
        # A replayed or retried batch plans the same keys again: the unique key absorbs it.
        bulk.insert(Outbox, _FIELDS, rows, ignore_conflicts=True)
    if stop_delay:
        # The delay notice is moot once a unit is on its way (or the call is over).
        Outbox.objects.filter(
            call_id__in=stop_delay,
            trigger=Trigger.DELAYED,
            state__in=(State.PLANNED, State.SCHEDULED),
        ).update(
            state=State.SUPPRESSED, reason="dispatched before the delay notice was due", updated=now
        )
