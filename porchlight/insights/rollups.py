"""Building and refreshing the call rollups (models.CallRollup).

A day's rows are always rebuilt whole from the calls that began that day (delete, then one
GROUP BY insert), so rebuilding is idempotent and a refresh cannot double-count. What needs
rebuilding is found from two cursors, never by scanning calls:
- CAD events by id (the event log's order of arrival): each new event dirties its call's day;
- delay notices by send time: a notice sent after the call's last event dirties its day.
`run()` is one of the worker's periodic jobs (settings.NOTIFY_PERIODIC_JOBS); it works under a
lease, so with several workers one refreshes, and never inside the intake transaction.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractHour, TruncDate
from django.utils import timezone

from porchlight.agencies.models import Agency
from porchlight.calls.models import Call, Event
from porchlight.insights import buckets
from porchlight.insights.models import COUNTS, HOURS, BeatRollup, CallRollup, Cursor
from porchlight.notify.models import Outbox, State, Trigger
from porchlight.notify.worker import take_lease

log = logging.getLogger(__name__)

LEASE = "insights-rollup"
LEASE_TTL = timedelta(minutes=5)
CURSOR = "calls"
# Events are read in batches of this many ids per run.
BATCH = 50_000
# Ids are handed out before commit, so an event with a lower id can become visible after a
# higher one was read. Each run reads back this many ids behind the cursor: rebuilding a day
# twice costs little and is harmless (it is rebuilt whole).
OVERLAP = 2_000
# The longest stretch one rebuild statement covers, so a full rebuild of years of history is a
# series of bounded statements, not one.
CHUNK_DAYS = 31

DELAY_SENT = (State.SENT, State.DELIVERED)


def delayed_calls() -> Any:
    return Outbox.objects.filter(call=OuterRef("pk"), trigger=Trigger.DELAYED, state__in=DELAY_SENT)


def _bucket_counts(metric: str, extra: Q) -> dict[str, Count]:
    span = f"_{metric}_span"
    out: dict[str, Count] = {}
    lower = timedelta(0)
    for i in range(buckets.COUNT):
        # Bucket i holds durations in (previous edge, edge]; the first also holds 0.
        cond = Q(**{f"{span}__gte": lower}) if i == 0 else Q(**{f"{span}__gt": lower})
        if i < len(buckets.EDGES):
            upper = timedelta(seconds=buckets.EDGES[i])
            cond &= Q(**{f"{span}__lte": upper})
            lower = upper
        out[buckets.column(metric, i)] = Count("pk", filter=cond & extra)
    return out


def grouped_calls(agency: Agency, first: date, last: date) -> QuerySet[Any]:
    """The rollup rows for the agency's calls that began between two local dates (inclusive),
    as one grouped query: columns _day, beat, district, _priority, _type and the counts."""
    tz = agency.tz
    start = datetime.combine(first, time(), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=tz)
    qs = Call.objects.filter(agency=agency, first_event_at__gte=start, first_event_at__lt=end)
    spans: dict[str, Any] = {}
    for metric, (a, b) in buckets.METRICS.items():
        spans[f"_{metric}_span"] = ExpressionWrapper(F(b) - F(a), output_field=DurationField())
    qs = qs.annotate(
        _day=TruncDate("first_event_at", tzinfo=tz),
        _hour=ExtractHour("first_event_at", tzinfo=tz),
        _priority=Coalesce(F("priority__code"), Value("")),
        _type=Coalesce(F("call_type__code"), Value("")),
        _delayed=Exists(delayed_calls()),
        **spans,
    )
    aggregates: dict[str, Any] = {
        "calls": Count("pk"),
        "delayed": Count("pk", filter=Q(_delayed=True)),
    }
    for h, name in enumerate(HOURS):
        aggregates[name] = Count("pk", filter=Q(_hour=h))
    for metric in buckets.METRICS:
        # A cleared time the export did not give is no duration (calls/importing/mapping.py).
        extra = Q(cleared_time_unknown=False) if metric == "clear" else Q()
        aggregates.update(_bucket_counts(metric, extra))
    return qs.values("_day", "beat", "district", "_priority", "_type").annotate(**aggregates)


# The grouped query's column for each rollup column that is named differently.
RENAMED = {"day": "_day", "priority": "_priority", "call_type": "_type"}


def _insert_grouped(agency: Agency, first: date, last: date) -> int:
    """INSERT … SELECT the grouped calls into CallRollup: the database moves the rows, so
    none is read into Python (the same SQL on PostgreSQL and SQLite)."""
    sql, params = grouped_calls(agency, first, last).query.sql_with_params()
    table = connection.ops.quote_name(CallRollup._meta.db_table)
    targets = ["day", "beat", "district", "priority", "call_type", "calls", "delayed", *COUNTS]
    q = connection.ops.quote_name
    with connection.cursor() as c:
        c.execute(
            f"INSERT INTO {table} (agency_id, {', '.join(q(t) for t in targets)}) "
            f"SELECT %s, {', '.join('sub.' + q(RENAMED.get(t, t)) for t in targets)} "
            f"FROM ({sql}) sub",
            [agency.pk, *params],
        )
        return c.rowcount


def rebuild_days(agency: Agency, first: date, last: date) -> int:
    """Replace the agency's rollup rows for the local days first..last. Returns rows written."""
    written = 0
    day = first
    while day <= last:
        stop = min(last, day + timedelta(days=CHUNK_DAYS - 1))
        with transaction.atomic():
            CallRollup.objects.filter(agency=agency, day__gte=day, day__lte=stop).delete()
            BeatRollup.objects.filter(agency=agency, day__gte=day, day__lte=stop).delete()
            written += _insert_grouped(agency, day, stop)
            # The beat rollup is the call rollup summed over call types: a few rows a day.
            summed = (
                CallRollup.objects.filter(agency=agency, day__gte=day, day__lte=stop)
                .values("day", "beat", "district", "priority")
                .annotate(**{c: Sum(c) for c in ["calls", "delayed", *COUNTS]})
                .order_by()
            )
            BeatRollup.objects.bulk_create(
                [BeatRollup(agency=agency, **row) for row in summed], batch_size=2000
            )
        day = stop + timedelta(days=1)
    return written


def rebuild(agency: Agency) -> int:
    """Every day of the agency's history (the `porchlight insights rebuild` command)."""
    calls = Call.objects.filter(agency=agency)
    bounds = [calls.order_by(o).values_list("first_event_at", flat=True).first() for o in
              ("first_event_at", "-first_event_at")]  # fmt: skip
    if bounds[0] is None or bounds[1] is None:
        CallRollup.objects.filter(agency=agency).delete()
        BeatRollup.objects.filter(agency=agency).delete()
        return 0
    tz = agency.tz
    first = timezone.localtime(bounds[0], tz).date()
    last = timezone.localtime(bounds[1], tz).date()
    with transaction.atomic():
        for model in (CallRollup, BeatRollup):
            model.objects.filter(agency=agency).exclude(day__gte=first, day__lte=last).delete()
    return rebuild_days(agency, first, last)


def _ranges(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive days joined into ranges, so a backlog is rebuilt in few statements."""
    out: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if out and day - out[-1][1] <= timedelta(days=1):
            out[-1] = (out[-1][0], day)
        else:
            out.append((day, day))
    return out


def refresh(now: datetime | None = None) -> int:
    """Rebuild the days touched since the cursor; returns the days rebuilt."""
    now = now or timezone.now()
    cursor, _ = Cursor.objects.get_or_create(name=CURSOR)
    dirty: dict[int, set[datetime]] = defaultdict(set)
    events = (
        Event.objects.filter(id__gt=max(0, cursor.event_id - OVERLAP))
        .order_by("id")
        .values_list("id", "agency_id", "call__first_event_at")[: BATCH + OVERLAP]
    )
    last_id = cursor.event_id
    for event_id, agency_id, began in events:
        dirty[agency_id].add(began)
        last_id = max(last_id, event_id)
    notices = Outbox.objects.filter(trigger=Trigger.DELAYED, sent_at__lte=now, call__isnull=False)
    if cursor.sent_at is not None:
        notices = notices.filter(sent_at__gt=cursor.sent_at - timedelta(minutes=5))
    for agency_id, began in notices.values_list("agency_id", "call__first_event_at"):
        dirty[agency_id].add(began)
    rebuilt = 0
    for agency in Agency.objects.filter(pk__in=dirty):
        days = {timezone.localtime(at, agency.tz).date() for at in dirty[agency.pk]}
        for first, last in _ranges(days):
            rebuild_days(agency, first, last)
            rebuilt += (last - first).days + 1
    cursor.event_id = last_id
    cursor.sent_at = now
    cursor.ran_at = now
    cursor.save()
    return rebuilt


def run(worker: str, now: datetime) -> int:
    """The worker's periodic job: refresh at most every INSIGHTS_ROLLUP_SECONDS."""
    every = timedelta(seconds=getattr(settings, "INSIGHTS_ROLLUP_SECONDS", 60))
    cursor = Cursor.objects.filter(name=CURSOR).first()
    if cursor is not None and now - cursor.ran_at < every:
        return 0
    if not take_lease(LEASE, worker, LEASE_TTL, now):
        return 0
    return refresh(now)
