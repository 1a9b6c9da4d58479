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
    Case,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import (
    Coalesce,
    ExtractHour,
    ExtractIsoWeekDay,
    TruncDate,
    TruncMonth,
)
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone

from porchlight.agencies.models import Agency
from porchlight.calls.models import Call, Event
from porchlight.insights import buckets
from porchlight.insights.models import COUNTS, BeatRollup, CallRollup, Cursor, MonthRollup
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
CHUNK_DAYS = 92

DELAY_SENT = (State.SENT, State.DELIVERED)


def delayed_calls() -> Any:
    return Outbox.objects.filter(call=OuterRef("pk"), trigger=Trigger.DELAYED, state__in=DELAY_SENT)


class BucketOf(Func):
    """The response-time bucket (buckets.py) of the seconds between two times; NULL when
    either is missing or the end is before the start. Each call's bucket is computed once
    (not once per bucket column), so the rollup's GROUP BY counts with cheap integer tests."""

    output_field = IntegerField()

    def __init__(self, start: str, end: str) -> None:
        super().__init__(F(start), F(end))

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        # Portable: a CASE over the edges on the timedelta (SQLite in the tests).
        start, end = self.source_expressions
        span = ExpressionWrapper(end - start, output_field=DurationField())
        expression = Case(
            When(GreaterThanOrEqual(span, Value(timedelta(0))), then=Case(
                *[When(LessThanOrEqual(span, Value(timedelta(seconds=e))), then=Value(i))
                  for i, e in enumerate(buckets.EDGES)],
                default=Value(len(buckets.EDGES)),
            )),
            default=Value(None),
            output_field=IntegerField(),
        )  # fmt: skip
        return compiler.compile(expression.resolve_expression(compiler.query))

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # width_bucket(-x, ascending -edges) counts the edges e with -e <= -x, i.e. e >= x:
        # the bucket of x, where bucket i holds (edge i-1, edge i], is len(EDGES) minus that.
        start_sql, start_params = compiler.compile(self.source_expressions[0])
        end_sql, end_params = compiler.compile(self.source_expressions[1])
        negated = ", ".join(str(-e) for e in reversed(buckets.EDGES))
        seconds = f"EXTRACT(EPOCH FROM ({end_sql} - {start_sql}))"
        sql = (
            f"CASE WHEN {end_sql} >= {start_sql} THEN {len(buckets.EDGES)} - "
            f"width_bucket(-{seconds}::float8, ARRAY[{negated}]::float8[]) END"
        )
        params = (
            *end_params,
            *start_params,
            *end_params,
            *start_params,
            *end_params,
            *start_params,
        )
        return sql, params


def call_facts(agency: Agency, first: date, last: date) -> QuerySet[Any]:
    """One row per call that began between two local dates (inclusive): its local day and
    hour, codes, whether a delay notice went, and each interval's bucket, each computed once."""
    tz = agency.tz
    start = datetime.combine(first, time(), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=tz)
    qs = Call.objects.filter(agency=agency, first_event_at__gte=start, first_event_at__lt=end)
    spans = {f"b_{m}": BucketOf(a, b) for m, (a, b) in buckets.METRICS.items()}
    return qs.annotate(
        d=TruncDate("first_event_at", tzinfo=tz),
        h=ExtractHour("first_event_at", tzinfo=tz),
        p=Coalesce(F("priority__code"), Value("")),
        t=Coalesce(F("call_type__code"), Value("")),
        late=Exists(delayed_calls()),
        **spans,
    ).values("d", "h", "beat", "district", "p", "t", "late", "cleared_time_unknown", *spans)


def _insert_grouped(agency: Agency, first: date, last: date) -> int:
    """INSERT … SELECT the calls' facts, grouped, into CallRollup: the database moves the
    rows, none is read into Python, and the same SQL runs on PostgreSQL and SQLite."""
    sql, params = call_facts(agency, first, last).query.sql_with_params()
    q = connection.ops.quote_name
    if connection.vendor == "postgresql":
        # OFFSET 0 keeps the per-call facts a subquery: pulled up, each FILTER below would
        # compute the time zone conversion and the buckets again.
        sql += " OFFSET 0"

    def count(condition: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    counts = [count(f"f.h = {h}") for h in range(24)]
    for metric in buckets.METRICS:
        unknown = " AND NOT f.cleared_time_unknown" if metric == "clear" else ""
        counts += [count(f"f.b_{metric} = {i}{unknown}") for i in range(buckets.COUNT)]
    targets = ["day", "beat", "district", "priority", "call_type", "calls", "delayed", *COUNTS]
    table = q(CallRollup._meta.db_table)
    with connection.cursor() as c:
        c.execute(
            f"INSERT INTO {table} (agency_id, {', '.join(q(t) for t in targets)}) "
            f"SELECT %s, f.d, f.beat, f.district, f.p, f.t, COUNT(*), {count('f.late')}, "
            f"{', '.join(counts)} FROM ({sql}) f GROUP BY f.d, f.beat, f.district, f.p, f.t",
            [agency.pk, *params],
        )
        return c.rowcount


def _insert_beats(agency: Agency, first: date, last: date) -> None:
    """BeatRollup: the CallRollup rows of those days summed over call types, in SQL."""
    q = connection.ops.quote_name
    names = ["calls", "delayed", *COUNTS]
    keys = ["day", "beat", "district", "priority"]
    with connection.cursor() as c:
        c.execute(
            f"INSERT INTO {q(BeatRollup._meta.db_table)} "
            f"(agency_id, {', '.join(q(k) for k in keys + names)}) "
            f"SELECT agency_id, {', '.join(q(k) for k in keys)}, "
            f"{', '.join(f'SUM({q(n)})' for n in names)} "
            f"FROM {q(CallRollup._meta.db_table)} WHERE agency_id = %s AND day >= %s "
            f"AND day <= %s GROUP BY agency_id, {', '.join(q(k) for k in keys)}",
            [agency.pk, first, last],
        )


def month_of(day: date) -> date:
    return day.replace(day=1)


def month_end(month: date) -> date:
    """The last day of the month that begins on `month`."""
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def _insert_months(agency: Agency, first: date, last: date) -> None:
    """MonthRollup for the months that hold first..last, rebuilt whole from BeatRollup (which
    must already be current for those days), by month and ISO weekday, in one INSERT … SELECT."""
    start, stop = month_of(first), month_end(month_of(last))
    names = ["calls", "delayed", *COUNTS]
    keys = ["beat", "district", "priority"]
    grouped = (
        BeatRollup.objects.filter(agency=agency, day__gte=start, day__lte=stop)
        .annotate(m=TruncMonth("day"), wd=ExtractIsoWeekDay("day"))
        .values("m", "wd", *keys)
        .annotate(**{f"s_{n}": Sum(n) for n in names})
        .order_by()
    )
    sql, params = grouped.query.sql_with_params()
    q = connection.ops.quote_name
    picked = [f"g.{q(k)}" for k in keys] + [f"g.{q('s_' + n)}" for n in names]
    with connection.cursor() as c:
        c.execute(
            f"INSERT INTO {q(MonthRollup._meta.db_table)} "
            f"(agency_id, month, weekday, {', '.join(q(k) for k in keys + names)}) "
            f"SELECT %s, g.m, g.wd, {', '.join(picked)} FROM ({sql}) g",
            [agency.pk, *params],
        )


def rebuild_months(agency: Agency, first: date, last: date) -> None:
    """Replace the month rows of every month that holds a day of first..last."""
    with transaction.atomic():
        MonthRollup.objects.filter(
            agency=agency, month__gte=month_of(first), month__lte=month_of(last)
        ).delete()
        _insert_months(agency, first, last)


def rebuild_days(agency: Agency, first: date, last: date) -> int:
    """Replace the agency's rollup rows for the local days first..last, and the month rows of
    their months. Returns the call-rollup rows written."""
    written = 0
    day = first
    while day <= last:
        stop = min(last, day + timedelta(days=CHUNK_DAYS - 1))
        with transaction.atomic():
            CallRollup.objects.filter(agency=agency, day__gte=day, day__lte=stop).delete()
            BeatRollup.objects.filter(agency=agency, day__gte=day, day__lte=stop).delete()
            written += _insert_grouped(agency, day, stop)
            # The beat rollup is the call rollup summed over call types: a few rows a day.
            _insert_beats(agency, day, stop)
        day = stop + timedelta(days=1)
    # A month is rebuilt whole from its days (a few thousand rows): a refresh of today also
    # rewrites this month's rows, so they never lag the days.
    rebuild_months(agency, first, last)
    return written


def rebuild(agency: Agency) -> int:
    """Every day of the agency's history (the `porchlight insights rebuild` command)."""
    calls = Call.objects.filter(agency=agency)
    bounds = [calls.order_by(o).values_list("first_event_at", flat=True).first() for o in
              ("first_event_at", "-first_event_at")]  # fmt: skip
    if bounds[0] is None or bounds[1] is None:
        for empty in (CallRollup, BeatRollup, MonthRollup):
            empty.objects.filter(agency=agency).delete()
        return 0
    tz = agency.tz
    first = timezone.localtime(bounds[0], tz).date()
    last = timezone.localtime(bounds[1], tz).date()
    with transaction.atomic():
        for model in (CallRollup, BeatRollup):
            model.objects.filter(agency=agency).exclude(day__gte=first, day__lte=last).delete()
        MonthRollup.objects.filter(agency=agency).exclude(
            month__gte=month_of(first), month__lte=month_of(last)
        ).delete()
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
