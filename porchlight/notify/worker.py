"""The worker: claims due outbox rows, checks them again, and sends them through a channel.

Claiming is one statement: `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING`
on PostgreSQL, so any number of workers share the outbox without waiting on each other; on
SQLite the same UPDATE guarded by the state (SQLite's IMMEDIATE transaction already admits one
writer). A claimed row is `sending`, stamped with the worker's name; every later write is
conditional on that stamp, so a row a stale worker still holds is never finished twice.

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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from porchlight.calls.track import link_for
from porchlight.notify import plan, texts
from porchlight.notify.channels.base import (
    Channel,
    Message,
    PermanentError,
    Receipt,
    TransientError,
)
from porchlight.notify.models import DUE_STATES, Lease, Outbox, State, Trigger

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_BASE = 30.0  # seconds; doubles per attempt, capped, with full jitter
BACKOFF_CAP = 3600.0


def backoff(attempts: int) -> float:
    """Exponential backoff with full jitter, so retries from many rows do not arrive together."""
    return random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(0, attempts - 1)))


def stale_after() -> timedelta:
    """A row `sending` for longer than this belonged to a worker that died (a setting, so the
    crash loop can use seconds where production uses minutes)."""
    return timedelta(seconds=settings.NOTIFY_STALE_SECONDS)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


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
        # Tests may pass a fixed link; the real one is made on first use, one per call.
        self.track_url = track_url or link_for
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="send")

    # --- claiming ---------------------------------------------------------------------------
    def claim(self, limit: int, now: datetime | None = None) -> list[int]:
        now = now or timezone.now()
        table = Outbox._meta.db_table
        due = ", ".join(f"'{s}'" for s in DUE_STATES)
        inner = (
            f"SELECT id FROM {table} WHERE state IN ({due}) AND due_at <= %s "
            "ORDER BY priority, due_at, id LIMIT %s"
        )
        if connection.vendor == "postgresql":
            inner += " FOR UPDATE SKIP LOCKED"
        sql = (
            f"UPDATE {table} SET state = %s, claimed_by = %s, claimed_at = %s, "
            f"attempts = attempts + 1, updated = %s WHERE id IN ({inner}) AND state IN ({due}) "
            "RETURNING id"
        )
        stamp = connection.ops.adapt_datetimefield_value(now)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [State.SENDING, self.name, stamp, stamp, stamp, limit])
            return [row[0] for row in cursor.fetchall()]

    # --- sending ----------------------------------------------------------------------------
    def run_once(self, now: datetime | None = None) -> int:
        """Claim one batch and send it. Returns how many rows were handled."""
        ids = self.claim(self.batch, now)
        if ids:
            list(self._pool.map(self._deliver_in_thread, ids))
        return len(ids)

    def _deliver_in_thread(self, outbox_id: int) -> None:
        try:
            self.deliver(outbox_id)
        except Exception:  # noqa: BLE001 - one bad row must not stop the others
            log.exception("outbox %s: unexpected error; left for reconciliation", outbox_id)
        finally:
            close_old_connections()

    def deliver(self, outbox_id: int) -> None:
        row = Outbox.objects.select_related("call__agency", "call__call_type", "contact").get(
            pk=outbox_id
        )
        if row.state != State.SENDING or row.claimed_by != self.name:
            return
        call = row.call
        assert call is not None
        # Everything may have changed since planning: check again at send time.
        reason = plan.exclusion(call, call.call_type)
        if not reason and row.trigger == Trigger.DELAYED and (call.dispatched_at or call.is_final):
            reason = "dispatched before the delay notice was due"
        address = row.contact.address
        if not reason and address is None:
            reason = "contact purged"
        channel = self.channels.get(row.channel)
        if not reason and channel is None:
            reason = f"no {row.channel} channel configured"
        if reason:
            self._finish(row, State.SUPPRESSED, reason=reason)
            return
        assert channel is not None and address is not None
        body = texts.compose(row, call, self.track_url(call)).body
        # Stored before the send: if we crash after the provider accepts it, reconciliation
        # finds the message by its recipient and words.
        Outbox.objects.filter(pk=row.pk, state=State.SENDING, claimed_by=self.name).update(
            body=body
        )
        message = Message(
            outbox_id=row.pk, to=address, body=body, status_callback=status_callback(row.pk)
        )
        try:
            receipt = channel.send(message)
        except PermanentError as exc:
            self._finish(row, State.FAILED, body=body, error_code=exc.code, reason=exc.reason)
        except TransientError as exc:
            if exc.maybe_sent:
                # A timeout or dropped connection after the request left: the provider may
                # have the message. Left `sending`, so reconcile() asks the provider before
                # anyone sends it again; a blind retry could text the caller twice.
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
        else:
            self._sent(row, receipt, body)

    def _sent(self, row: Outbox, receipt: Receipt, body: str) -> None:
        now = timezone.now()
        fields: dict[str, Any] = {
            "body": body,
            "provider_id": receipt.provider_id,
            "sent_at": now,
            "reason": "",
        }
        if receipt.status == "delivered":  # the dev inbox delivers as it sends
            self._finish(row, State.DELIVERED, delivered_at=now, **fields)
        else:
            self._finish(row, State.SENT, **fields)

    def _finish(self, row: Outbox, state: str, **fields: Any) -> bool:
        # Conditional on our claim: a reconciler may have taken the row back meanwhile.
        done = Outbox.objects.filter(pk=row.pk, state=State.SENDING, claimed_by=self.name).update(
            state=state, updated=timezone.now(), **fields
        )
        return bool(done)

    # --- crash recovery ---------------------------------------------------------------------
    def reconcile(self, now: datetime | None = None) -> int:
        """Settle rows a dead worker left `sending`. Returns how many were settled."""
        now = now or timezone.now()
        if not take_lease("reconcile", self.name, timedelta(minutes=1), now):
            return 0
        settled = 0
        stale = Outbox.objects.filter(
            state=State.SENDING, claimed_at__lt=now - stale_after()
        ).select_related("contact")
        for row in stale.order_by("claimed_at")[:500]:
            channel = self.channels.get(row.channel)
            address = row.contact.address
            message = Message(outbox_id=row.pk, to=address or "", body=row.body)
            try:
                receipt = (
                    channel.lookup(row.pk, row.provider_id or None, message=message)
                    if channel and row.body
                    else None
                )
            except TransientError as exc:
                # The provider cannot answer now; the row stays `sending` until it can.
                log.warning("outbox %s: cannot reconcile yet: %s", row.pk, exc)
                continue
            update: dict[str, Any] = {"updated": now, "claimed_by": ""}
            if receipt is not None:
                # The provider has it: the crash came after the send. Not sending again.
                update |= {"state": State.SENT, "provider_id": receipt.provider_id, "sent_at": now}
            else:
                update |= {"state": State.PLANNED, "due_at": now}
            settled += Outbox.objects.filter(
                pk=row.pk, state=State.SENDING, claimed_by=row.claimed_by
            ).update(**update)
        return settled

    # --- the loop ---------------------------------------------------------------------------
    def loop(self, stop: threading.Event, idle: float = 1.0) -> None:
        log.info("worker %s started (%s send threads)", self.name, self.threads)
        while not stop.is_set():
            try:
                handled = self.run_once()
                self.reconcile()
            except Exception:  # noqa: BLE001 - a database blip must not end the worker
                log.exception("worker %s: batch failed; retrying", self.name)
                close_old_connections()
                handled = 0
            if not handled:
                stop.wait(idle)
        self._pool.shutdown(wait=True)
        log.info("worker %s stopped", self.name)


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
