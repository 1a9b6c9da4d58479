"""The worker: claims due outbox rows, checks them again, and sends them through a channel.

Claiming is one short transaction. On PostgreSQL the senders with due rows are locked (`FOR NO
KEY UPDATE`, in id order), their token buckets refilled, and each sender's due rows taken in
priority then due order with `FOR NO KEY UPDATE SKIP LOCKED`, at most as many as it has tokens;
rows without a sender (email, the dev inbox) are unpaced. The chosen rows become `sending` and
the buckets are debited before the commit, so any number of workers share one rate limit. On
SQLite the IMMEDIATE transaction already admits one writer, and the state-guarded UPDATE does
the rest. A claimed row is stamped with the worker's name; every later write is conditional on
that stamp, so a row a stale worker still holds is never finished twice.

A claimed batch goes in waves as wide as the thread pool. Right before a wave's sends, the
worker reads its rows again (with their calls, call types and contacts) and checks everything
that may have changed since planning, set-based (gate.py: holds, the pause, opt-outs, caps,
delivery settings, one query each), deciding row by row in a fixed order; every message it does
not send keeps its reason (docs/operators.md, "Why a caller got nothing"). Quiet hours put a
row back until the morning instead. The wave's bodies are stored in one UPDATE before the sends
and the provider's answers written in one after, so a text costs a fraction of a statement.

Sends run on a thread pool: a provider answering in 150 ms needs about 45 sends in flight for
300 messages a second (docs/architecture.md).

A crash between the provider accepting a message and our commit leaves the row `sending`.
`reconcile()`, run under a lease by one worker at a time, asks the channel whether it sent it
(the outbox id travels with the message) before letting anyone retry: that window is the only
place a duplicate can come from.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_noop

from porchlight.calls import track
from porchlight.calls.models import Call
from porchlight.notify import consent, plan, texts, timing
from porchlight.notify.channels.base import (
    Channel,
    Message,
    PermanentError,
    Receipt,
    SendError,
    TransientError,
)
from porchlight.notify.gate import Gate
from porchlight.notify.models import (
    DUE_STATES,
    MERGED_REASON,
    MERGED_TRIGGERS,
    URGENT,
    Accents,
    Contact,
    Lease,
    Outbox,
    Sender,
    SentBy,
    State,
    Trigger,
)
from porchlight.notify.models import Channel as ChannelKind
from porchlight.notify.sent import record_sent, record_sent_by_worker

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_BASE = 30.0  # seconds; doubles per attempt, capped, with full jitter
BACKOFF_CAP = 3600.0
# Float refills (0.1 + 0.2 …) must not leave a whole token at 0.9999999.
_EPSILON = 1e-9

# The due rows of one sender (or of none), best first. The state test is written exactly as
# the partial indexes `outbox_due_sender` and `outbox_due_unpaced` declare it, so SQLite
# (which matches partial-index conditions by their terms) uses them too; the scan then reads
# the index in claim order and stops at the LIMIT instead of sorting every due row.
_DUE = "state IN ('planned', 'scheduled')"
assert _DUE == f"state IN ({', '.join(repr(str(s)) for s in DUE_STATES)})"


def backoff(attempts: int) -> float:
    """Exponential backoff with full jitter, so retries from many rows do not arrive together."""
    return random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(0, attempts - 1)))


def stale_after() -> timedelta:
    """A row `sending` for longer than this belonged to a worker that died (a setting, so the
    crash loop can use seconds where production uses minutes)."""
    return timedelta(seconds=settings.NOTIFY_STALE_SECONDS)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def burst(rate: float) -> float:
    """A bucket holds one second's worth of tokens (at least one), so a sender that was idle
    may send that many at once and then settles to its rate."""
    return max(1.0, rate)


def refill(sender: Sender, now: datetime) -> float:
    """The sender's tokens at `now`. A bucket never used starts full."""
    if sender.refilled_at is None:
        return burst(sender.rate)
    # A worker whose clock is behind the one that last refilled adds nothing rather than
    # taking tokens away (workers' clocks are assumed NTP-close, as for every due time).
    elapsed = max(0.0, (now - sender.refilled_at).total_seconds())
    return min(burst(sender.rate), sender.tokens + elapsed * sender.rate)


class Worker:
    def __init__(
        self,
        channels: dict[str, Channel],
        *,
        name: str | None = None,
        threads: int = 16,
        batch: int = 64,
        track_url: Callable[[Any], str | None] | None = None,
    ) -> None:
        self.channels = channels
        self.name = name or worker_name()
        self.threads = threads
        self.batch = batch
        # Tests may pass a fixed link; the real ones are made when the texts are planned and
        # read per wave (calls.track.urls_for).
        self.track_url = track_url
        # Two waves in flight (run_once), so twice the threads a wave uses.
        self._pool = ThreadPoolExecutor(max_workers=2 * threads, thread_name_prefix="send")
        # Seconds until a sender that ran out of tokens has one again (None: no sender is
        # waiting), so the loop sleeps just long enough instead of its full idle time.
        self.paced_wait: float | None = None
        # When the batch being sent was claimed (time.monotonic()): a send starts within half
        # the stale window of its claim, or not at all (deliver).
        self._claimed_at: float | None = None

    # --- claiming ---------------------------------------------------------------------------
    def claim(self, limit: int, now: datetime | None = None) -> list[int]:
        now = now or timezone.now()
        table = Outbox._meta.db_table
        stamp = connection.ops.adapt_datetimefield_value(now)
        lock = " FOR NO KEY UPDATE SKIP LOCKED" if connection.vendor == "postgresql" else ""
        columns = f"SELECT priority, due_at, id FROM {table} WHERE "
        order = f" AND {_DUE} AND due_at <= %s ORDER BY priority, due_at, id LIMIT %s{lock}"
        with transaction.atomic(), connection.cursor() as cursor:
            senders = self._lock_senders(now)
            tokens = {s.pk: refill(s, now) for s in senders}
            candidates: list[tuple[Any, Any, int]] = []
            for sender in senders:
                allowed = min(limit, int(tokens[sender.pk] + _EPSILON))
                if allowed:
                    cursor.execute(columns + "sender_id = %s" + order, [sender.pk, stamp, allowed])
                    candidates += cursor.fetchall()
            cursor.execute(columns + "sender_id IS NULL" + order, [stamp, limit])
            candidates += cursor.fetchall()
            # Across senders too, the batch goes best first. Each sender's rows came in this
            # order, so what a sender keeps is a prefix of its own: a lower-priority row never
            # overtakes a higher one of the same sender.
            candidates.sort()
            chosen = [pk for _priority, _due, pk in candidates[:limit]]
            claimed: list[tuple[int, int | None]] = []
            if chosen:
                marks = ", ".join(["%s"] * len(chosen))
                # What each text goes from is recorded with the claim (sent_from): the row's
                # Sender, else the SMS channel's default. Reconciliation searches the
                # provider by it if this worker dies with the send unrecorded.
                senders_table = Sender._meta.db_table
                sms = self.channels.get(ChannelKind.SMS)
                cursor.execute(
                    f"UPDATE {table} SET state = %s, claimed_by = %s, claimed_at = %s, "
                    f"attempts = attempts + 1, updated = %s, sent_from = CASE WHEN "
                    f"{table}.channel = %s THEN COALESCE(NULLIF((SELECT CASE WHEN "
                    f"s.phone_number <> '' THEN s.phone_number ELSE s.messaging_service_sid END "
                    f"FROM {senders_table} s WHERE s.id = {table}.sender_id), ''), %s) ELSE '' "
                    f"END WHERE id IN ({marks}) AND {_DUE} RETURNING id, sender_id",
                    [
                        State.SENDING, self.name, stamp, stamp, ChannelKind.SMS,
                        sms.default_sender if sms is not None else "", *chosen,
                    ],
                )  # fmt: skip
                claimed = cursor.fetchall()
            used: dict[int, int] = {}
            for _pk, sender_id in claimed:
                if sender_id is not None:
                    used[sender_id] = used.get(sender_id, 0) + 1
            waits = []
            for sender in senders:
                left = tokens[sender.pk] - used.get(sender.pk, 0)
                if sender.pk in used:
                    # Unchanged buckets are not written: refilling later from the older
                    # refilled_at gives the same tokens.
                    Sender.objects.filter(pk=sender.pk).update(
                        tokens=left, refilled_at=max(now, sender.refilled_at or now)
                    )
                if left + _EPSILON < 1:
                    waits.append((1 - left) / sender.rate)
            self.paced_wait = min(waits) if waits else None
            return [pk for pk, _sender in claimed]

    def _lock_senders(self, now: datetime) -> list[Sender]:
        """The senders with due rows, locked for this transaction in id order (so workers
        queue on them instead of deadlocking). NO KEY UPDATE, so intake inserting outbox rows
        that point at a sender is never blocked by a claim."""
        lock = " FOR NO KEY UPDATE" if connection.vendor == "postgresql" else ""
        senders, outbox = Sender._meta.db_table, Outbox._meta.db_table
        stamp = connection.ops.adapt_datetimefield_value(now)
        # "Its best due row", not EXISTS: PostgreSQL drops the ORDER BY of an EXISTS and may
        # then probe the sender's foreign-key index, walking every row it ever sent. Ordered,
        # the probe reads the partial index outbox_due_sender and stops at the first entry.
        return list(
            Sender.objects.raw(
                f"SELECT * FROM {senders} s WHERE (SELECT o.id FROM {outbox} o "
                f"WHERE o.sender_id = s.id AND o.{_DUE} AND o.due_at <= %s "
                f"ORDER BY o.priority, o.due_at, o.id LIMIT 1) IS NOT NULL ORDER BY s.id{lock}",
                [stamp],
            )
        )

    # --- sending ----------------------------------------------------------------------------
    def run_once(self, now: datetime | None = None) -> int:
        """Claim one batch and send it. Returns how many rows were handled."""
        ids = self.claim(self.batch, now)
        if not ids:
            return 0
        self._claimed_at = time.monotonic()
        # Waves of `threads` sends, two in flight (the pool has twice the threads): the next
        # wave is checked and its sends start while the previous wave is with the provider,
        # so the worker's own work overlaps the provider's latency. Each wave is still checked
        # right before its own sends start (never queued behind the other wave's). With one
        # thread, each wave is settled before the next is checked.
        wave = self.threads
        in_flight: list[tuple[list[tuple[Outbox, Message]], list[Future[Any]]]] = []
        try:
            for start in range(0, len(ids), wave):
                items = self._prepare(ids[start : start + wave], isolate=True)
                if self.threads < 2:
                    self._settle(items, [self._pool.submit(self._send, i) for i in items])
                    continue
                in_flight.append((items, [self._pool.submit(self._send, i) for i in items]))
                if len(in_flight) > 1:
                    self._settle(*in_flight.pop(0))
        finally:
            # What the provider accepted is recorded, also when a later wave failed.
            for items, futures in in_flight:
                self._settle(items, futures)
            self._claimed_at = None
        return len(ids)

    def deliver(self, outbox_id: int) -> None:
        """Check and send one claimed row (run_once does a batch at a time)."""
        items = self._prepare([outbox_id], isolate=False)
        self._settle(items, [self._pool.submit(self._send, i) for i in items])

    def _settle(self, items: list[tuple[Outbox, Message]], futures: list[Future[Any]]) -> None:
        """Wait for a wave's answers and write them: the accepted ones in one UPDATE
        (sent.record_sent_by_worker), a failed send row by row."""
        sent: list[tuple[int, str, bool]] = []
        for (row, message), future in zip(items, futures, strict=True):
            answer = future.result()
            if isinstance(answer, Receipt):
                sent.append((row.pk, answer.provider_id, answer.status == "delivered"))
            elif answer is not None:
                self._send_failed(row, message.body, answer)
        record_sent_by_worker(self.name, sent)

    def _prepare(self, ids: list[int], *, isolate: bool) -> list[tuple[Outbox, Message]]:
        """Check the claimed rows `ids` against everything that may have changed since they
        were planned and compose them, with a fixed number of statements for the whole wave:
        the rows (with their calls and contacts) in one query, the checks in a handful
        (gate.Gate), the bodies stored in one UPDATE. Returns the messages to send now. Rows
        leave the common path only for what is rare (quiet hours, a merge, a landline, a
        template that fails), written row by row as before.

        `isolate`: one row's unexpected error is logged and leaves that row `sending` for
        reconciliation instead of stopping the others."""
        order = {pk: i for i, pk in enumerate(ids)}
        rows = sorted(
            Outbox.objects.select_related(
                "agency", "call__agency", "call__call_type", "contact", "sender"
            ).filter(pk__in=ids, state=State.SENDING, claimed_by=self.name),
            key=lambda r: order[r.pk],
        )
        if not rows:
            return []
        now = timezone.now()
        gate = Gate.read(rows, now)
        suppressed: dict[str, list[Outbox]] = {}
        going: list[Outbox] = []
        for row in rows:
            try:
                reason = self._gate_one(row, gate, now)
            except Exception:
                if not isolate:
                    raise
                log.exception("outbox %s: unexpected error; left for reconciliation", row.pk)
                continue
            if reason:
                suppressed.setdefault(reason, []).append(row)
            elif reason is not None:
                gate.count(row)
                going.append(row)
        for reason, group in suppressed.items():
            self._not_sent_many(group, State.SUPPRESSED, reason)
        going = self._line_types(going, now)
        if not going:
            return []
        messages = self._compose(going, gate)
        claimed = self._claimed_at
        if claimed is not None and time.monotonic() - claimed > stale_after().total_seconds() / 2:
            # Reconciliation takes back rows claimed more than the stale window ago, so a send
            # starts within half of it or not at all (these go back to the queue, never sent).
            log.warning("%s rows claimed too long ago to send safely; requeued", len(messages))
            self._not_sent_many([row for row, _m in messages], State.PLANNED, "", requeue=True)
            return []
        # Stored before the send: if we crash after the provider accepts it, reconciliation
        # finds the message by its recipient, its words and the number it went from. A row
        # not stored was taken back (or settled by a callback): not ours to send.
        stored = self._store_bodies(messages)
        return [(row, m) for row, m in messages if row.pk in stored]

    def _gate_one(self, row: Outbox, gate: Gate, now: datetime) -> str | None:
        """One row's decision: a reason to suppress it, "" to send it, or None when it was
        dealt with here (back until the morning, or merged into a later update)."""
        call = row.call  # None for messages not about a call (plan.message: surveys, alerts)
        policy = gate.policy(row.agency_id)
        # Everything may have changed since planning: check again at send time, in this order
        # (docs/operators.md lists the reasons staff will see).
        reason = self._reason_not_to_send(row, call, self.channels.get(row.channel), gate, now)
        if reason:
            return reason
        morning = timing.after_quiet_hours(now, row.priority, policy, row.agency.tz)
        if morning > now:
            self._until_morning(row, morning)
            return None
        if row.call_id is not None and row.trigger in MERGED_TRIGGERS and self.fold(row, now):
            return None  # merged into a later update of the same call, which goes instead
        if gate.over_cap(row):
            return "per-recipient cap reached"
        return ""

    def _line_types(self, rows: list[Outbox], now: datetime) -> list[Outbox]:
        """The rows that may go once their line types are known: a landline's text goes by
        email or not at all, a number Lookup calls invalid is marked. Unknown line types are
        looked up on the send threads, since a lookup is a round trip to the provider."""
        unknown = [
            r
            for r in rows
            if r.channel == ChannelKind.SMS
            and not r.contact.line_type
            # A channel that cannot tell answers "" at once: no thread needed.
            and type(self.channels[r.channel]).line_type is not Channel.line_type
        ]
        if unknown:
            list(self._pool.map(lambda r: self._line_type(r, now), unknown))
        going = []
        for row in rows:
            if row.contact.line_type == "landline":
                self._landline(row, row.call)
            elif row.contact.line_type == "invalid":
                # Lookup says the number cannot exist: the send would only fail with 21211.
                consent.mark(row.contact, "invalid_number", "lookup")
                self._not_sent(row, State.SUPPRESSED, reason="undeliverable: invalid_number")
            else:
                going.append(row)
        return going

    def _compose(self, rows: list[Outbox], gate: Gate) -> list[tuple[Outbox, Message]]:
        """Each row's words as a Message; a row with no usable words fails here."""
        calls = {r.call.pk: r.call for r in rows if r.call is not None}
        if self.track_url is None:
            # Made when the messages were planned: read here for the whole wave.
            urls = track.urls_for(list(calls.values()))
        else:
            urls = {pk: self.track_url(call) for pk, call in calls.items()}
        templates = texts.templates_for({r.rule_id for r in rows if r.rule_id is not None})
        first_of = texts.first_texts(rows)
        out = []
        for row in rows:
            try:
                composed = texts.compose(
                    row,
                    row.call,
                    urls.get(row.call_id) if row.call_id is not None else None,
                    keep_accents=gate.policy(row.agency_id).accents == Accents.KEEP,
                    templates=templates,
                    first_of=first_of,
                )
            except texts.CannotCompose as exc:
                # No usable words (no template, or one that fails on these values): an
                # agency's configuration to fix, so a failure on /metrics, not a suppression.
                self._not_sent(row, State.FAILED, error_code="template", reason=str(exc)[:200])
                continue
            address = row.contact.address
            assert address is not None  # a purged contact has its reason in the gate
            message = Message(
                outbox_id=row.pk,
                to=address,
                body=composed.body,
                subject=composed.subject,
                html=composed.html,
                sender=row.sent_from,
                status_callback=status_callback(row.pk) if row.channel == ChannelKind.SMS else None,
            )
            out.append((row, message))
        return out

    def _store_bodies(self, messages: list[tuple[Outbox, Message]]) -> set[int]:
        """Store the wave's bodies and subjects in one UPDATE, guarded by our claim; returns
        the ids stored (the rows still ours)."""
        if not messages:
            return set()
        table = connection.ops.quote_name(Outbox._meta.db_table)
        values = ", ".join(["(CAST(%s AS bigint), %s, %s)"] * len(messages))
        params: list[Any] = []
        for row, message in messages:
            params += [row.pk, message.body, message.subject[:200]]
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH v(id, body, subject) AS (VALUES {values}) UPDATE {table} "
                f"SET body = v.body, subject = v.subject FROM v WHERE {table}.id = v.id "
                f"AND {table}.state = %s AND {table}.claimed_by = %s RETURNING {table}.id",
                [*params, str(State.SENDING), self.name],
            )
            return {pk for (pk,) in cursor.fetchall()}

    def _send(self, item: tuple[Outbox, Message]) -> Receipt | SendError | None:
        """On a send thread: hand one message to its channel. The answer (or the error that
        says what to do next) is written with the wave's; None when anything else went wrong,
        which leaves the row `sending` for reconciliation."""
        row, message = item
        channel = self.channels[row.channel]
        try:
            return channel.send(message)
        except (PermanentError, TransientError) as exc:
            return exc
        except Exception:  # noqa: BLE001 - one bad row must not stop the others
            log.exception("outbox %s: unexpected error; left for reconciliation", row.pk)
            return None
        finally:
            close_old_connections()

    def _send_failed(self, row: Outbox, body: str, exc: SendError) -> None:
        if isinstance(exc, PermanentError):
            self._finish(row, State.FAILED, body=body, error_code=exc.code, reason=exc.reason)
            if exc.marks_contact:
                self._recipient_refused(row, exc)
            return
        assert isinstance(exc, TransientError)
        if exc.maybe_sent:
            # A timeout or dropped connection after the request left: the provider may have
            # the message. Left `sending`, so reconcile() asks the provider before anyone
            # sends it again; a blind retry could text the caller twice.
            log.warning("outbox %s: %s; left for reconciliation", row.pk, exc)
            return
        if row.attempts >= MAX_ATTEMPTS:
            self._finish(row, State.DEAD, body=body, error_code=exc.code, reason=exc.reason)
        else:
            wait = max(exc.retry_after or 0.0, backoff(row.attempts))
            self._finish(
                row, State.SCHEDULED, body=body, error_code=exc.code, reason=exc.reason,
                due_at=timezone.now() + timedelta(seconds=wait),
            )  # fmt: skip

    # --- the send-time gate -----------------------------------------------------------------
    def _reason_not_to_send(
        self,
        row: Outbox,
        call: Call | None,
        channel: Channel | None,
        gate: Gate,
        now: datetime,
    ) -> str:
        """Why this row must not go at all, or "" when it may (quiet hours aside)."""
        if call is not None:
            reason = plan.exclusion(call, call.call_type)
            if reason:
                return reason
            if row.trigger == Trigger.DELAYED and (call.dispatched_at or call.is_final):
                return "dispatched before the delay notice was due"
        if gate.held(row):
            return "stopped by staff"
        if gate.policy(row.agency_id).paused_at is not None and row.priority > URGENT:
            return "agency paused non-urgent messages"
        # A call update hours late is worse than none.
        if row.expires_at is not None and row.expires_at < now:
            return "stale: not sent within its validity period"
        contact = row.contact
        if contact.address_enc is None:
            return "contact purged"
        if contact.undeliverable:
            return f"undeliverable: {contact.undeliverable}"
        if channel is None:
            return f"no {row.channel} channel configured"
        if gate.opted_out(row):
            return "opted out (STOP)" if row.channel == ChannelKind.SMS else "unsubscribed"
        return ""

    def fold(self, row: Outbox, now: datetime) -> bool:
        """Merge the updates of one call to one contact that fell due together: only the
        latest goes, and says the latest (the templates render the call as it is now).

        The later of two updates is the one planned later (by CAD order, since planning
        never fires a status the call has passed), then the later in a call's life when they
        were planned together (MERGED_TRIGGERS: cleared after report taken, so the closing
        text says both). Returns True when this row is merged into a later one, planned,
        being sent or already sent: it is suppressed with MERGED_REASON, and the latest
        waiting one is made due now (it would have gone within the window anyway). Returns
        False when this row is the latest: the earlier ones still waiting are suppressed and
        this one goes. A text already sent is never taken back.

        One transaction, every write conditional on the row's state (ours: still claimed by
        us), so a crash leaves either nothing changed or the whole decision: nothing is lost
        (a merged row's news is in the row that goes) and nothing goes twice.
        """
        assert row.call_id is not None
        order = {t: i for i, t in enumerate(MERGED_TRIGGERS)}

        def rank(r: Any) -> tuple[Any, int, int]:
            return (r.created, order.get(r.trigger, -1), r.pk)

        with transaction.atomic():
            siblings = Outbox.objects.filter(
                contact_id=row.contact_id,
                call_id=row.call_id,
                channel=row.channel,
                trigger__in=MERGED_TRIGGERS,
                state__in=(*DUE_STATES, State.SENDING, State.SENT, State.DELIVERED),
            ).exclude(pk=row.pk)
            if connection.vendor == "postgresql":
                # In id order, so two workers folding one call queue instead of deadlocking.
                siblings = siblings.select_for_update(no_key=True).order_by("id")
            others = list(siblings.only("id", "trigger", "created", "state", "due_at"))
            mine = rank(row)
            later = [r for r in others if rank(r) > mine]
            if later:
                if not self._finish(row, State.SUPPRESSED, reason=MERGED_REASON):
                    return True  # a reconciler took it back meanwhile: not ours to decide
                waiting = [r for r in later if r.state in DUE_STATES]
                if waiting:
                    latest = max(waiting, key=rank)
                    Outbox.objects.filter(
                        pk=latest.pk, state__in=DUE_STATES, due_at__gt=now
                    ).update(due_at=now, state=State.PLANNED, updated=now)
                self._give_back_token(row)
                return True
            earlier = [r.pk for r in others if r.state in DUE_STATES]
            if earlier:
                Outbox.objects.filter(pk__in=earlier, state__in=DUE_STATES).update(
                    state=State.SUPPRESSED, reason=MERGED_REASON, updated=now
                )
            return False

    def _line_type(self, row: Outbox, now: datetime) -> None:
        """On a send thread: look up an SMS contact's line type once, when the channel can
        tell, and keep it on the contact ("" when not: asked again next time)."""
        contact = row.contact
        assert contact.address is not None  # a purged contact has its reason in the gate
        try:
            found = self.channels[row.channel].line_type(contact.address)
        except TransientError as exc:
            # The lookup service is down or slow: send anyway. Holding a call update until
            # lookups recover would make it late, and a text to a landline only fails (and
            # the provider's error marks the contact).
            log.warning("outbox %s: line type lookup failed (%s); sending anyway", row.pk, exc)
            return
        except Exception:  # noqa: BLE001 - a lookup must not stop the batch
            log.exception("outbox %s: line type lookup failed; sending anyway", row.pk)
            return
        finally:
            close_old_connections()
        if found:
            Contact.objects.filter(pk=contact.pk).update(line_type=found, line_type_checked_at=now)
            contact.line_type, contact.line_type_checked_at = found, now

    def _landline(self, row: Outbox, call: Call | None) -> None:
        """A landline cannot get texts: the same update goes by email when the caller gave an
        address (once: the email row's dedupe key is the one planning would use), else
        nothing, with the reason."""
        if call is None or call.caller_email_id is None:
            self._not_sent(row, State.SUPPRESSED, reason="landline and no email address")
            return
        now = timezone.now()
        key = Outbox.key(call.caller_email_id, row.trigger, call.pk, ChannelKind.EMAIL)
        email = Outbox(
            agency_id=row.agency_id, contact_id=call.caller_email_id, channel=ChannelKind.EMAIL,
            trigger=row.trigger, call_id=call.pk, rule_id=row.rule_id, dedupe_key=key,
            state=State.PLANNED, priority=row.priority, due_at=now, expires_at=row.expires_at,
            language=row.language, created=now, updated=now,
        )  # fmt: skip
        with transaction.atomic():
            Outbox.objects.bulk_create([email], ignore_conflicts=True)
            self._not_sent(row, State.SUPPRESSED, reason="landline: sent by email instead")

    def _until_morning(self, row: Outbox, morning: datetime) -> None:
        """Quiet hours: back to the queue for the morning, without using up an attempt. The
        validity window moves with it, or every message held overnight would be stale by
        the time it may go."""
        fields: dict[str, Any] = {
            "due_at": morning,
            "attempts": max(0, row.attempts - 1),
            "claimed_by": "",
            "reason": f"quiet hours: held until {morning.astimezone(row.agency.tz):%H:%M}",
        }
        if row.expires_at is not None:
            fields["expires_at"] = morning + max(timedelta(0), row.expires_at - row.due_at)
        self._not_sent(row, State.SCHEDULED, **fields)

    def _recipient_refused(self, row: Outbox, exc: PermanentError) -> None:
        contact = row.contact
        if exc.code == "21610":
            # The number replied STOP to this sender: an opt-out from this sender only.
            key = consent.sender_key(row.channel, row.sender)
            consent.opt_out(row.channel, contact.address_hash, key, "twilio:21610")
        else:
            consent.mark(contact, exc.reason[:32], f"{row.channel}:{exc.code}")

    # --- finishing --------------------------------------------------------------------------
    def _sent(self, row: Outbox, receipt: Receipt, body: str) -> None:
        # Conditional on our claim, as _finish: a callback may have settled the row first.
        record_sent(
            Outbox.objects.filter(pk=row.pk, state=State.SENDING, claimed_by=self.name),
            SentBy.WORKER,
            provider_id=receipt.provider_id,
            # The dev inbox delivers as it sends.
            delivered_at=timezone.now() if receipt.status == "delivered" else None,
            body=body,
            reason="",
        )

    def _not_sent(self, row: Outbox, state: str, **fields: Any) -> None:
        """Finish a row that never reached the provider, and give its sender the token back:
        a suppressed or postponed row must not slow down the ones that do go."""
        if self._finish(row, state, **fields):
            self._give_back_token(row)

    def _not_sent_many(
        self, rows: list[Outbox], state: str, reason: str, *, requeue: bool = False
    ) -> None:
        """_not_sent for rows with one outcome, in one UPDATE, and one per sender for the
        tokens of the rows that were still ours. `requeue`: back to the queue, due now and
        claimed by no one."""
        table = connection.ops.quote_name(Outbox._meta.db_table)
        marks = ", ".join(["%s"] * len(rows))
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        again = ", due_at = %s, claimed_by = ''" if requeue else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET state = %s, reason = %s, updated = %s{again} "
                f"WHERE id IN ({marks}) AND state = %s AND claimed_by = %s RETURNING id",
                [
                    str(state), reason, now, *([now] if requeue else []), *(r.pk for r in rows),
                    str(State.SENDING), self.name,
                ],
            )  # fmt: skip
            finished = {pk for (pk,) in cursor.fetchall()}
        back: dict[int, tuple[int, float]] = {}
        for row in rows:
            if row.pk in finished and row.sender is not None:
                n, rate = back.get(row.sender.pk, (0, row.sender.rate))
                back[row.sender.pk] = (n + 1, rate)
        for sender_id, (n, rate) in back.items():
            Sender.objects.filter(pk=sender_id).update(
                tokens=Least(F("tokens") + n, Value(burst(rate)))
            )

    def _give_back_token(self, row: Outbox) -> None:
        if row.sender is not None:
            Sender.objects.filter(pk=row.sender.pk).update(
                tokens=Least(F("tokens") + 1, Value(burst(row.sender.rate)))
            )

    def _finish(self, row: Outbox, state: str, **fields: Any) -> bool:
        # Conditional on our claim: a reconciler may have taken the row back meanwhile.
        done = Outbox.objects.filter(pk=row.pk, state=State.SENDING, claimed_by=self.name).update(
            state=state, updated=timezone.now(), **fields
        )
        return bool(done)

    # --- crash recovery ---------------------------------------------------------------------
    def reconcile(self, now: datetime | None = None) -> int:
        """Settle rows a dead worker left `sending`. Returns how many were settled.

        Each is asked about at the provider (channel.lookup): found, it is sent (the crash
        came after the send); not found, it goes back to the queue. A provider that cannot
        answer (its API fails or times out) settles nothing: the row is held, still
        `sending`, with the reason HELD and its next check in due_at, and asked about again
        then. It is never sent again on a guess.
        """
        now = now or timezone.now()
        # A killed holder blocks reconciliation until its lease runs out, so the lease is no
        # longer than the stale window (5 s at least, a minute at most).
        ttl = min(timedelta(minutes=1), max(timedelta(seconds=5), stale_after()))
        if not take_lease("reconcile", self.name, ttl, now):
            return 0
        settled = 0
        # due_at of a `sending` row is its next check: its old due time (before the claim)
        # for a row never asked about, later for a held one.
        stale = Outbox.objects.filter(
            state=State.SENDING, claimed_at__lt=now - stale_after(), due_at__lte=now
        ).select_related("contact")
        for row in stale.order_by("claimed_at")[:500]:
            channel = self.channels.get(row.channel)
            address = row.contact.address
            message = Message(
                outbox_id=row.pk, to=address or "", body=row.body, sender=row.sent_from,
                claimed_at=row.claimed_at,
            )  # fmt: skip
            ours = Outbox.objects.filter(pk=row.pk, state=State.SENDING, claimed_by=row.claimed_by)
            try:
                receipt = (
                    channel.lookup(row.pk, row.provider_id or None, message=message)
                    if channel and row.body
                    else None
                )
            except TransientError as exc:
                held = held_until(row, now)
                log.warning(
                    "outbox %s: cannot reconcile yet (%s); held until %s", row.pk, exc, held
                )
                ours.update(reason=HELD, error_code=exc.code[:16], due_at=held, updated=now)
                continue
            if receipt is not None:
                # The provider has it: the crash came after the send. Not sending again.
                settled += record_sent(
                    ours,
                    SentBy.RECONCILE,
                    provider_id=receipt.provider_id,
                    delivered_at=now if receipt.status == "delivered" else None,
                    claimed_by="",
                    reason="",
                    error_code="",
                )
            else:
                settled += ours.update(
                    state=State.PLANNED, due_at=now, claimed_by="", reason="", error_code="",
                    updated=now,
                )  # fmt: skip
        return settled

    # --- other apps' periodic work ---------------------------------------------------------
    def periodic(self, now: datetime | None = None) -> None:
        """Run the jobs named in settings.NOTIFY_PERIODIC_JOBS (dotted paths to functions
        taking the worker's name and the time): alert digests, for one. Each job takes its
        own database lease (take_lease), so with several workers exactly one runs it; the
        worker only gives them a turn after each batch."""
        for path in getattr(settings, "NOTIFY_PERIODIC_JOBS", ()):
            job = import_string(path)
            try:
                job(self.name, now or timezone.now())
            except Exception:  # noqa: BLE001 - one app's job must not stop the sending
                log.exception("worker %s: periodic job %s failed", self.name, path)
                close_old_connections()

    # --- the loop ---------------------------------------------------------------------------
    def loop(self, stop: threading.Event, idle: float = 1.0) -> None:
        log.info("worker %s started (%s send threads)", self.name, self.threads)
        while not stop.is_set():
            try:
                handled = self.run_once()
                self.reconcile()
                self.periodic()
            except Exception:  # noqa: BLE001 - a database blip must not end the worker
                log.exception("worker %s: batch failed; retrying", self.name)
                close_old_connections()
                handled = 0
            if not handled:
                # A sender out of tokens has one again in 1/rate seconds: no need to idle
                # a whole second behind a 3/s toll-free number.
                paced = self.paced_wait
                stop.wait(idle if paced is None else min(idle, max(paced, 0.01)))
        self._pool.shutdown(wait=True)
        log.info("worker %s stopped", self.name)


# The reason on a `sending` row reconciliation could not settle (the Messages page lists them).
HELD = gettext_noop("held: the provider could not say whether it was sent")
HELD_LONGEST = timedelta(minutes=15)


def held_until(row: Outbox, now: datetime) -> datetime:
    """When to ask about a held row again: after half as long as it has been held (claimed)
    so far, so a long outage is asked about less and less often, between 5 s and 15 min."""
    waited = now - (row.claimed_at or now)
    return now + min(HELD_LONGEST, max(timedelta(seconds=5), waited / 2))


def status_callback(outbox_id: int) -> str | None:
    if not getattr(settings, "TWILIO_ACCOUNT_SID", ""):
        return None
    return f"{settings.SITE_URL}/notify/sms/status/{outbox_id}/"


def take_lease(name: str, holder: str, ttl: timedelta, now: datetime | None = None) -> bool:
    """Hold the named lease for ttl. True when we hold it (again), False when another does."""
    now = now or timezone.now()
    with transaction.atomic():
        taken = (
            Lease.objects.filter(name=name)
            .filter(Q(expires_at__lt=now) | Q(holder=holder))
            .update(holder=holder, expires_at=now + ttl)
        )
        if taken:
            return True
        _, created = Lease.objects.get_or_create(
            name=name, defaults={"holder": holder, "expires_at": now + ttl}
        )
        return created
