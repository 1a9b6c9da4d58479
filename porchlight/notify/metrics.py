"""Delivery figures for /metrics (Prometheus) and /healthz, read from the outbox itself.

Every worker writes to the same table, so the table is the one place the figures agree across
processes; no per-process counters to add up. Each query is bounded by an index: the due
rows and failures by `outbox_due` (state first), the last minute's sends by `outbox_sent_at_set`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Min, QuerySet, Sum
from django.utils import timezone

from porchlight.calls.models import Quarantine, QuarantineOverflow
from porchlight.notify.models import DUE_STATES, Channel, Outbox, State

# "Sent per second" is the mean over this window: long enough to smooth the worker's batches.
WINDOW = timedelta(seconds=60)
# Failures are counted over the last day, by reason, so an old incident does not dominate.
FAILURE_WINDOW = timedelta(hours=24)


@dataclass
class Figures:
    queued: dict[str, int] = field(default_factory=dict)  # state → rows
    due: int = 0  # queued rows whose time has come
    sent_per_second: float = 0.0
    failures: dict[str, int] = field(default_factory=dict)  # reason → rows, last day
    lag_seconds: float = 0.0  # age of the oldest due row; 0 when none is waiting
    # The same per channel (sms, email, push): an email backlog does not hide behind texts.
    lag_by_channel: dict[str, float] = field(default_factory=dict)
    quarantine_open: int = 0
    # source → rejected events the quarantine did not keep (over its hourly cap), last day
    quarantine_not_kept: dict[str, int] = field(default_factory=dict)

    @property
    def queued_total(self) -> int:
        return sum(self.queued.values())


def _reason(error_code: str, reason: str) -> str:
    # Reasons hold free text ("provider reported undelivered (30003)"); the code, when there
    # is one, is the stable label a dashboard can group by.
    return error_code or reason.split(":")[0][:60] or "unknown"


def gather(now: datetime | None = None) -> Figures:
    now = now or timezone.now()
    figures = Figures()
    waiting = (*DUE_STATES, State.SENDING)
    for state, n in (
        Outbox.objects.filter(state__in=waiting)
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    ):
        figures.queued[state] = n
    due = Outbox.objects.filter(state__in=DUE_STATES, due_at__lte=now)
    agg = due.aggregate(n=Count("id"), oldest=Min("due_at"))
    figures.due = agg["n"] or 0
    if agg["oldest"] is not None:
        figures.lag_seconds = max(0.0, (now - agg["oldest"]).total_seconds())
    figures.lag_by_channel = lag_by_channel(due, now)
    sent = Outbox.objects.filter(sent_at__gt=now - WINDOW, sent_at__lte=now).count()
    figures.sent_per_second = sent / WINDOW.total_seconds()
    failed = Outbox.objects.filter(
        state__in=(State.FAILED, State.DEAD), updated__gt=now - FAILURE_WINDOW
    ).values_list("error_code", "reason")
    for code, reason in failed.iterator():
        label = _reason(code, reason)
        figures.failures[label] = figures.failures.get(label, 0) + 1
    figures.quarantine_open = Quarantine.objects.filter(state=Quarantine.State.OPEN).count()
    for source, n in (
        QuarantineOverflow.objects.filter(hour__gt=now - FAILURE_WINDOW - timedelta(hours=1))
        .values("source")
        .annotate(n=Sum("count"))
        .values_list("source", "n")
    ):
        figures.quarantine_not_kept[source] = n or 0
    return figures


def lag_by_channel(due: QuerySet[Outbox], now: datetime) -> dict[str, float]:
    """Age in seconds of the oldest due row of each channel in `due` (due, unsent rows)."""
    return {
        channel: max(0.0, (now - oldest).total_seconds())
        for channel, oldest in due.order_by()
        .values_list("channel")
        .annotate(oldest=Min("due_at"))
        .values_list("channel", "oldest")
        if oldest is not None
    }


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def prometheus(figures: Figures) -> str:
    """The Prometheus text exposition format (version 0.0.4)."""
    lines = [
        "# HELP porchlight_outbox_queued Messages waiting to be sent, by state.",
        "# TYPE porchlight_outbox_queued gauge",
    ]
    for state in (*DUE_STATES, State.SENDING):
        lines.append(f'porchlight_outbox_queued{{state="{state}"}} {figures.queued.get(state, 0)}')
    lines += [
        "# HELP porchlight_outbox_due Queued messages whose send time has come.",
        "# TYPE porchlight_outbox_due gauge",
        f"porchlight_outbox_due {figures.due}",
        "# HELP porchlight_outbox_sent_per_second Messages the provider accepted, per second "
        "over the last minute.",
        "# TYPE porchlight_outbox_sent_per_second gauge",
        f"porchlight_outbox_sent_per_second {figures.sent_per_second:.3f}",
        "# HELP porchlight_outbox_failures Messages failed or dead in the last 24 hours, by "
        "reason.",
        "# TYPE porchlight_outbox_failures gauge",
    ]
    for reason, n in sorted(figures.failures.items()):
        lines.append(f'porchlight_outbox_failures{{reason="{_label(reason)}"}} {n}')
    lines += [
        "# HELP porchlight_worker_lag_seconds Age of the oldest due message: how far the "
        "workers are behind.",
        "# TYPE porchlight_worker_lag_seconds gauge",
        f"porchlight_worker_lag_seconds {figures.lag_seconds:.3f}",
        "# HELP porchlight_channel_lag_seconds Age of the oldest due message of each channel.",
        "# TYPE porchlight_channel_lag_seconds gauge",
    ]
    for channel in Channel.values:
        lag = figures.lag_by_channel.get(channel, 0.0)
        lines.append(f'porchlight_channel_lag_seconds{{channel="{channel}"}} {lag:.3f}')
    lines += [
        "# HELP porchlight_quarantine_open CAD events held in the quarantine, waiting for staff.",
        "# TYPE porchlight_quarantine_open gauge",
        f"porchlight_quarantine_open {figures.quarantine_open}",
        "# HELP porchlight_quarantine_not_kept Rejected events the quarantine did not keep "
        "(over its hourly cap per feed) in the last 24 hours, by source.",
        "# TYPE porchlight_quarantine_not_kept gauge",
    ]
    for source, n in sorted(figures.quarantine_not_kept.items()):
        lines.append(f'porchlight_quarantine_not_kept{{source="{_label(source)}"}} {n}')
    return "\n".join(lines) + "\n"
