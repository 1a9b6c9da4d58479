"""Planning: which messages a change calls for, written to the outbox under the agency's rules.

`calls()` runs inside intake's transaction (an explicit call from `calls.intake.ingest`), so a
message exists exactly when the change that caused it was committed: nothing is lost, nothing
invented. It is set-based like intake: one query for the batch's rules, one insert and at most
one update, whatever the batch's size.

What a batch of CAD events fires, per call that is not history:
- a new call that is not already over → call received, and a delay notice scheduled at the
  priority's threshold (unless a unit is already assigned), which a dispatch cancels;
- dispatched, en route, on scene → when the call reached that status in this batch and is not
  over (en route and on scene are off by default: the phone that called may not be safe);
- cleared → the closing text; a cancelled call gets none;
- report taken → when the call's report number first appears.
Each fired trigger is matched against the agency's enabled rules (trigger, channel, call type,
priority, feed); the first by position wins per channel, and writes one row per (contact,
trigger, call, channel): SMS to the caller's phone, email to their email. An excluded call
still gets its rows, suppressed with the reason, so staff can see why a caller was not texted;
the worker checks again at send time.

A call update that is not the caller's first text about the call (dispatched, en route, on
scene, cleared, report taken) is due after the agency's merge window (DeliverySettings.
merge_seconds, 2 minutes by default), so an update that follows within it goes with it as one
text with the latest news (worker.fold); the first text is never held.

`message()` is the way in for messages that are not call updates (case updates, surveys,
community alerts): the same rules, priority, quiet hours and expiry, for one contact.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from porchlight.agencies.models import Agency, PriorityCode
from porchlight.calls import bulk
from porchlight.calls.changes import Applied
from porchlight.calls.models import STATUS_RANK, Call, CallType, Status
from porchlight.notify import rules, templating, timing
from porchlight.notify.models import (
    DEFAULT_MERGE_SECONDS,
    MERGED_TRIGGERS,
    TRIGGER_PRIORITY,
    URGENT,
    Channel,
    Contact,
    DeliverySettings,
    Outbox,
    Rule,
    Sender,
    State,
    Trigger,
)

# Minutes a call may wait for dispatch before the caller is told, by priority rank. Rank 4 and
# above (and unranked codes) use the last value.
DEFAULT_DELAY_MINUTES = {1: 15, 2: 30, 3: 60}
LAST_DELAY_MINUTES = 60

_WAITING = ("received", "pending")
_RANK = {str(k): v for k, v in STATUS_RANK.items()}
# The statuses that are updates of their own, with their triggers.
_STATUS_TRIGGERS = (
    (str(Status.DISPATCHED), Trigger.DISPATCHED),
    (str(Status.ENROUTE), Trigger.ENROUTE),
    (str(Status.ONSCENE), Trigger.ONSCENE),
)

_FIELDS = [
    "agency", "contact", "channel", "trigger", "call", "dedupe_key", "state", "priority", "due_at",
    "language", "reason", "body", "attempts", "claimed_by", "claimed_at", "provider_id",
    "error_code", "sent_at", "delivered_at", "created", "updated", "rule", "sender", "expires_at",
    "subject", "context",
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


def fired(
    call: Call,
    seen: set[str],
    before: str | None,
    report_before: str,
    new: bool,
    priority: PriorityCode | None,
    now: datetime,
) -> list[tuple[str, datetime]]:
    """The triggers this batch fired for one call, each with when its message is due."""
    out: list[tuple[str, datetime]] = []
    if new and not call.is_final:
        out.append((Trigger.RECEIVED, now))
        if call.dispatched_at is None:
            start = call.received_at or call.first_event_at
            due = start + timedelta(minutes=delay_minutes(priority))
            out.append((Trigger.DELAYED, max(due, now)))
    if not call.is_final:
        # Reached in this batch: an event said so, and the call was not that far before. A late
        # "dispatched" for a call already on scene is history, not news.
        was = _RANK.get(before, -1) if before is not None else -1
        for status, trigger in _STATUS_TRIGGERS:
            if status in seen and was < _RANK[status]:
                out.append((trigger, now))
    if "cleared" in seen and call.status == "cleared":
        out.append((Trigger.CLEARED, now))
    if call.report_number and not report_before:
        out.append((Trigger.REPORT, now))
    return out


class Standing(NamedTuple):
    """What planning reads per agency, not per call: the enabled rules (with each agency's
    default sender and merge window) and the delivery settings. Intake reads it before it
    locks any call (`standing()`), so these reads are not part of the time a batch holds its
    calls' row locks, during which concurrent batches on the same calls wait (measured: the
    wait dominated the CAD API's batches of 100; docs/performance.md, fourth pass). Reading
    them a moment earlier in the same transaction is what a batch arriving a moment earlier
    would have read."""

    agency_ids: frozenset[int]
    book: rules.RuleBook
    policies: dict[int, DeliverySettings]


def standing(agency_ids: set[int]) -> Standing:
    """The agencies' rules and delivery settings, two queries."""
    policies = {
        s.agency_id: s
        for s in DeliverySettings.objects.filter(agency_id__in=agency_ids).order_by("-pk")
    }  # the first by pk wins, as DeliverySettings.for_agency() reads it
    return Standing(frozenset(agency_ids), rules.RuleBook.load(agency_ids), policies)


def calls(applied: Applied) -> None:
    """Plan the messages for the calls this batch changed. The agencies' rules are the ones
    intake read before it locked the calls (`applied.standing`), or read here."""
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
    book: rules.RuleBook | None = None  # read once, when the first call needs it

    rows: list[list[Any]] = []
    stop_delay: list[int] = []
    # (call, contact, channel) that already have a text planned: their next update may wait
    # for the merge window; the first text of a call never waits. Read lazily, in one query,
    # for the calls of this batch that are not new (a new call has no rows yet).
    texted: set[tuple[int, int, str]] | None = None
    # New calls given a text that may go: their tracking links are made here, in bulk, so the
    # worker only reads them (calls.track.urls_for).
    linked: set[int] = set()

    for call in changed.values():
        before = applied.status_before.get(call.pk)
        # Only a call that was waiting before this batch can have a pending delay notice.
        if before in _WAITING and (call.dispatched_at is not None or call.is_final):
            stop_delay.append(call.pk)
        contacts = [
            (Channel.SMS, call.caller_phone_id),
            (Channel.EMAIL, call.caller_email_id),
        ]
        if not any(contact_id for _, contact_id in contacts):
            continue
        priority = priorities.get(call.priority_id) if call.priority_id else None
        triggers = fired(
            call,
            statuses.get(call.pk, set()),
            before,
            applied.report_before.get(call.pk, ""),
            call.pk in applied.new_call_ids,
            priority,
            now,
        )
        if not triggers:
            continue
        if book is None:
            agency_ids = {c.agency_id for c in changed.values()}
            ready = applied.standing
            if ready is not None and agency_ids <= ready.agency_ids:
                book = ready.book
            else:
                book = rules.RuleBook.load(agency_ids)
        call_type = types.get(call.call_type_id) if call.call_type_id else None
        reason = exclusion(call, call_type)
        facts = rules.Facts(
            call_type=call_type.code if call_type else None,
            priority=priority.code if priority else None,
            source=applied.source,
        )
        for trigger, due in triggers:
            for channel, contact_id in contacts:
                if contact_id is None:
                    continue
                rule = book.match(call.agency_id, trigger, channel, facts)
                if rule is None:
                    continue
                sender = rule.default_sender_id if channel == Channel.SMS else None  # type: ignore[attr-defined]
                thread = (call.pk, contact_id, str(channel))
                if due <= now and trigger in MERGED_TRIGGERS:
                    if texted is None:
                        texted = _texted(changed, applied.new_call_ids)
                    if thread in texted:
                        # Not the first text: held for the window, so an update that follows
                        # within it goes with this one as one text (worker.fold).
                        window = rule.merge_seconds  # type: ignore[attr-defined]
                        due = now + timedelta(
                            seconds=DEFAULT_MERGE_SECONDS if window is None else window
                        )
                if due <= now:
                    if texted is None:
                        texted = _texted(changed, applied.new_call_ids)
                    texted.add(thread)
                state = (
                    State.SUPPRESSED
                    if reason
                    else (State.PLANNED if due <= now else State.SCHEDULED)
                )
                expires = due + timedelta(minutes=rule.valid_minutes)
                if not reason and call.pk in applied.new_call_ids:
                    linked.add(call.pk)
                rows.append(
                    [
                        call.agency_id, contact_id, channel, trigger, call.pk,
                        Outbox.key(contact_id, trigger, call.pk, channel), state,
                        TRIGGER_PRIORITY.get(trigger, URGENT), due, call.caller_language, reason,
                        "", 0, "", None, "", "", None, None, now, now, rule.pk, sender, expires,
                        "", {},
                    ]
                )  # fmt: skip

    if rows:
        # A replayed or retried batch plans the same keys again: the unique key absorbs it.
        bulk.insert(Outbox, _FIELDS, rows, ignore_conflicts=True)
        if linked:
            # Imported here: calls.track reads plan.exclusion.
            from porchlight.calls import track

            track.make_links(linked)
    if stop_delay and connection.vendor == "postgresql":
        # As below, in SQL written once, so that inside intake's pipeline it goes with the next
        # statement that needs an answer (calls/bulk.py) instead of a round trip of its own.
        bulk.execute(_STOP_DELAY_SQL, [_STOPPED, now, stop_delay, _STOPPABLE])
    elif stop_delay:
        # The delay notice is moot once a unit is on its way (or the call is over).
        Outbox.objects.filter(
            call_id__in=stop_delay,
            trigger=Trigger.DELAYED,
            state__in=(State.PLANNED, State.SCHEDULED),
        ).update(state=State.SUPPRESSED, reason=_STOPPED, updated=now)


_STOPPED = "dispatched before the delay notice was due"
_STOPPABLE = [str(State.PLANNED), str(State.SCHEDULED)]
_STOP_DELAY_SQL = (
    f"UPDATE notify_outbox SET state = '{State.SUPPRESSED}', reason = %s, updated = %s "
    f"WHERE call_id = ANY(%s) AND trigger = '{Trigger.DELAYED}' AND state = ANY(%s)"
)
_UNREAD = [str(State.SUPPRESSED), str(State.FAILED), str(State.DEAD)]
_TEXTED_SQL = (
    "SELECT DISTINCT call_id, contact_id, channel FROM notify_outbox "
    "WHERE call_id = ANY(%s) AND NOT (state = ANY(%s))"
)


def _texted(changed: dict[int, Call], new: set[int]) -> set[tuple[int, int, str]]:
    """The (call, contact, channel) of this batch's older calls that have a text planned or
    sent already (a suppressed or failed one does not count: the caller never read it)."""
    older = [pk for pk in changed if pk not in new]
    if not older:
        return set()
    if connection.vendor == "postgresql":
        # The ORM's query below in SQL written once: inside intake's pipeline it takes the
        # batch's held writes (events, calls) with it, one round trip for all (calls/bulk.py).
        return {tuple(row) for row in bulk.fetch_pg(_TEXTED_SQL, [older, _UNREAD])}  # type: ignore[misc]
    return set(
        Outbox.objects.filter(call_id__in=older)
        .exclude(state__in=(State.SUPPRESSED, State.FAILED, State.DEAD))
        .values_list("call_id", "contact_id", "channel")
        .distinct()
    )


def message(
    agency: Agency,
    contact: Contact,
    trigger: str,
    *,
    dedupe: str,
    context: dict[str, str],
    language: str,
    call: Call | None = None,
    due: datetime | None = None,
) -> Outbox | None:
    """Plan one message that is not a CAD update: a case status change, a survey invitation,
    a community alert. Call it in the same transaction as the change that causes it.

    The agency's enabled rules for the trigger and the contact's channel decide whether it
    goes (None when no rule sends it) and which template it uses. Priority follows the
    trigger; a message that is not urgent and falls in the agency's quiet hours is due when
    they end; it expires `valid_minutes` after it is due. `dedupe` names the update ("case 41
    closed", "survey for call 26-000123"): the same contact, trigger, dedupe and channel plan
    one message however often this is called, and the row planned first is returned.

    `context` holds the trigger's template fields (templating.FIELDS_BY_TRIGGER) as strings;
    never the contact's own address. With `call`, the call's exclusions apply (an excluded
    call's row is suppressed with the reason) and so do rules limited by call type or priority.

    `messages()` plans many at once by the same rules (one read of rules, settings and
    senders, one INSERT): the way for a batch.
    """
    ask = Ask(agency, contact, trigger, dedupe, context, language, call, due)
    key, facts, reason = _checked(ask)
    rule = rules.first_match(
        Rule.objects.filter(agency=agency, trigger=trigger, enabled=True), contact.channel, facts
    )
    if rule is None:
        return None

    now = timezone.now()
    when, state, expires = _timing(ask, rule, reason, DeliverySettings.for_agency(agency.pk), now)
    sender = None
    if contact.channel == Channel.SMS:
        sender = Sender.objects.filter(agency=agency, is_default=True).order_by("id").first()
    row = Outbox(
        agency=agency,
        contact=contact,
        channel=contact.channel,
        trigger=trigger,
        call=call,
        rule=rule,
        sender=sender,
        dedupe_key=key,
        state=state,
        reason=reason,
        priority=TRIGGER_PRIORITY[trigger],
        due_at=when,
        expires_at=expires,
        language=language,
        context=dict(context),
        created=now,
        updated=now,
    )
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        # Planned before (a retried job, a replayed status change): that row stands.
        return Outbox.objects.get(dedupe_key=key)
    return row


class Ask(NamedTuple):
    """One message for `messages()`: message()'s arguments."""

    agency: Agency
    contact: Contact
    trigger: str
    dedupe: str
    context: dict[str, str]
    language: str
    call: Call | None = None
    due: datetime | None = None


class Planned(NamedTuple):
    """The outbox row an Ask has: the one planned now, or the one planned before."""

    pk: int
    due_at: datetime


def messages(asks: Sequence[Ask], ready: Standing | None = None) -> list[Planned | None]:
    """`message()` for many messages at once, by the same rules, with the same result per ask
    (None where no rule sends it; the row planned first where one was): the agencies' rules,
    delivery settings and default senders read once, ONE INSERT of the new rows (a key planned
    before, or twice in `asks`, is absorbed by the unique key, as message()'s savepoint
    absorbed it) and one read of the rows' ids, whatever the number of asks. No savepoint and
    no model instance per message: this runs inside intake's transaction."""
    keys, rows = outbox_rows(asks, ready)
    if not rows:
        return [None] * len(asks)
    # PostgreSQL returns the rows it inserted; the keys planned before (and every key, on
    # SQLite, which returns nothing) are read back in one query.
    inserted = bulk.insert(
        Outbox, _FIELDS, rows, ignore_conflicts=True, returning=["dedupe_key", "id", "due_at"]
    )
    found = {key: Planned(pk, due_at) for key, pk, due_at in inserted or ()}
    missing = {k for k in keys if k is not None and k not in found}
    if missing:
        found.update(
            (key, Planned(pk, due_at))
            for key, pk, due_at in Outbox.objects.filter(dedupe_key__in=missing).values_list(
                "dedupe_key", "pk", "due_at"
            )
        )
    return [found[key] if key is not None else None for key in keys]


# The columns of outbox_rows()'s rows, in order (bulk.insert's `names`).
OUTBOX_FIELDS = _FIELDS


def outbox_rows(
    asks: Sequence[Ask], ready: Standing | None = None
) -> tuple[list[str | None], list[list[Any]]]:
    """What `messages()` would insert, not inserted: each ask's dedupe key (None where no rule
    sends it) and the new rows (in OUTBOX_FIELDS order, one per key that is not None), for a
    caller that writes them in a statement of its own (feedback/invite.py plans invitations
    and their outbox rows in one). Raises as message() would, before any write."""
    checked = [_checked(ask) for ask in asks]  # raises as message() would, before any write
    if not asks:
        return [], []
    agency_ids = {ask.agency.pk for ask in asks}
    book: dict[tuple[int, str], list[Rule]] = {}
    senders: dict[int, int | None] = {}
    prefetched = ready is not None and agency_ids <= ready.agency_ids
    if ready is not None and prefetched:
        # Read before intake locked its calls (`standing()`): the same rules, settings and
        # default senders as the three queries below.
        for ask in asks:
            book[(ask.agency.pk, ask.trigger)] = ready.book.of(ask.agency.pk, ask.trigger)
            senders[ask.agency.pk] = ready.book.default_sender(ask.agency.pk)
        policies = ready.policies
    else:
        for one in Rule.objects.filter(
            agency_id__in=agency_ids, trigger__in={ask.trigger for ask in asks}, enabled=True
        ):
            book.setdefault((one.agency_id, one.trigger), []).append(one)
        policies = {
            s.agency_id: s
            for s in DeliverySettings.objects.filter(agency_id__in=agency_ids).order_by("-pk")
        }  # the first by pk wins, as DeliverySettings.for_agency() reads it
    if not prefetched and any(ask.contact.channel == Channel.SMS for ask in asks):
        for agency_id, sender_id in (
            Sender.objects.filter(agency_id__in=agency_ids, is_default=True)
            .order_by("-id")
            .values_list("agency_id", "id")
        ):
            senders[agency_id] = sender_id  # the lowest id wins, as in message()

    now = timezone.now()
    rows: list[list[Any]] = []
    keys: list[str | None] = []
    for ask, (key, facts, reason) in zip(asks, checked, strict=True):
        channel = ask.contact.channel
        rule = rules.first_match(book.get((ask.agency.pk, ask.trigger), ()), channel, facts)
        if rule is None:
            keys.append(None)
            continue
        policy = policies.get(ask.agency.pk) or DeliverySettings(agency_id=ask.agency.pk)
        when, state, expires = _timing(ask, rule, reason, policy, now)
        sender = senders.get(ask.agency.pk) if channel == Channel.SMS else None
        keys.append(key)
        rows.append(
            [
                ask.agency.pk, ask.contact.pk, channel, ask.trigger,
                ask.call.pk if ask.call is not None else None, key, state,
                TRIGGER_PRIORITY[ask.trigger], when, ask.language, reason, "", 0, "", None, "",
                "", None, None, now, now, rule.pk, sender, expires, "", dict(ask.context),
            ]
        )  # fmt: skip
    return keys, rows


def _checked(ask: Ask) -> tuple[str, rules.Facts, str]:
    """The ask's dedupe key, the facts its rules look at, and why its call must not be texted
    (or ""); ValueError for an ask no message may be planned from."""
    if ask.trigger not in TRIGGER_PRIORITY:
        raise ValueError(f"unknown trigger {ask.trigger!r}")
    agency_id = ask.agency.pk
    if ask.contact.agency_id != agency_id or (
        ask.call is not None and ask.call.agency_id != agency_id
    ):
        raise ValueError("the contact and the call must belong to the agency")
    _check_context(ask.trigger, ask.context, ask.contact)
    key = f"{ask.contact.pk}:{ask.trigger}:{ask.dedupe}:{ask.contact.channel}"
    if len(key) > Outbox._meta.get_field("dedupe_key").max_length:  # type: ignore[operator]
        raise ValueError("dedupe is too long")
    if ask.call is None:
        return key, rules.Facts(), ""
    call_type = ask.call.call_type
    facts = rules.Facts(
        call_type=call_type.code if call_type else None,
        priority=ask.call.priority.code if ask.call.priority else None,
    )
    return key, facts, exclusion(ask.call, call_type)


def _timing(
    ask: Ask, rule: Rule, reason: str, policy: DeliverySettings, now: datetime
) -> tuple[datetime, str, datetime]:
    """When the message is due (after quiet hours unless urgent), its state, its expiry."""
    when = timing.after_quiet_hours(
        ask.due or now, TRIGGER_PRIORITY[ask.trigger], policy, ask.agency.tz
    )
    state = State.SUPPRESSED if reason else (State.PLANNED if when <= now else State.SCHEDULED)
    return when, state, when + timedelta(minutes=rule.valid_minutes)


def _check_context(trigger: str, context: dict[str, str], contact: Contact) -> None:
    allowed = templating.fields_for(trigger)
    for name, value in context.items():
        if name not in allowed:
            raise ValueError(f"{name!r} is not a template field of {trigger}")
        if not isinstance(value, str):
            raise ValueError(f"{name!r} must be a string")
    # The row outlives the contact's purge, so it must not carry their address.
    address = (contact.address or "").lower()
    number = "".join(c for c in address if c.isdigit())[-10:] if contact.channel == "sms" else ""
    for value in context.values():
        digits = "".join(c for c in value if c.isdigit())
        if (address and address in value.lower()) or (len(number) >= 7 and number in digits):
            raise ValueError("the context must not hold the contact's address")
