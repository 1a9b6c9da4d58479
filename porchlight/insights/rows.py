"""The rows behind a figure: the calls (messages, responses, cases) a figure counted, read
directly from their tables with the same filters and the figure's own narrowing (a day and
hour, a delay notice, a measured interval). Paged, newest first, no personal data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import DurationField, Exists, ExpressionWrapper, F, QuerySet
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone
from django.utils.translation import gettext as _

from porchlight.agencies.models import Agency
from porchlight.calls.models import Call
from porchlight.insights import buckets
from porchlight.insights.filters import BadFilter, Filters, zone
from porchlight.insights.rollups import delayed_calls

PAGE = 100


@dataclass
class Rows:
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    page: int = 1
    more: bool = False
    narrowing: list[str] = field(default_factory=list)


def _int(query: Any, name: str, low: int, high: int) -> int | None:
    raw = str(query.get(name, "")).strip()
    if not raw:
        return None
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise BadFilter(_("%(name)s must be a number from %(low)s to %(high)s.")
                        % {"name": name, "low": low, "high": high})  # fmt: skip
    return int(raw)


def page_of(query: Any) -> int:
    return _int(query, "page", 1, 100_000) or 1


def calls(agency: Agency | None, filters: Filters, query: Any) -> QuerySet[Call]:
    qs = Call.objects.filter(
        first_event_at__gte=filters.start(agency), first_event_at__lt=filters.end(agency)
    )
    if agency is not None:
        qs = qs.filter(agency=agency)
    for name in ("beat", "district"):
        if getattr(filters, name):
            qs = qs.filter(**{name: getattr(filters, name)})
    if filters.priority:
        qs = qs.filter(priority__code=filters.priority)
    if filters.call_type:
        qs = qs.filter(call_type__code=filters.call_type)
    tz = zone(agency)
    dow = _int(query, "dow", 1, 7)
    if dow is not None:
        qs = qs.annotate(_dow=ExtractIsoWeekDay("first_event_at", tzinfo=tz)).filter(_dow=dow)
    hour = _int(query, "hour", 0, 23)
    if hour is not None:
        qs = qs.annotate(_hour=ExtractHour("first_event_at", tzinfo=tz)).filter(_hour=hour)
    if query.get("delayed") == "1":
        qs = qs.annotate(_delayed=Exists(delayed_calls())).filter(_delayed=True)
    metric = str(query.get("measured", ""))
    if metric:
        if metric not in buckets.METRICS:
            raise BadFilter(_("Unknown interval."))
        a, b = buckets.METRICS[metric]
        span = ExpressionWrapper(F(b) - F(a), output_field=DurationField())
        qs = qs.annotate(_span=span).filter(_span__gte=timedelta(0))
        if metric == "clear":
            qs = qs.filter(cleared_time_unknown=False)
    return qs


def _span(start: Any, end: Any) -> str:
    if start is None or end is None or end < start:
        return ""
    seconds = int((end - start).total_seconds())
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def call_rows(agency: Agency | None, filters: Filters, query: Any) -> Rows:
    page = page_of(query)
    qs = (
        calls(agency, filters, query)
        .select_related("priority", "call_type")
        .annotate(_notice=Exists(delayed_calls()))
        .order_by("-first_event_at", "-id")
    )
    chunk = list(qs[(page - 1) * PAGE : page * PAGE + 1])
    out = Rows(
        _("Calls"),
        [
            _("Incident"),
            _("Began"),
            _("Beat"),
            _("District"),
            _("Priority"),
            _("Call type"),
            _("Status"),
            _("Received → dispatched"),
            _("Dispatched → on scene"),
            _("Received → cleared"),
            _("Delay notice"),
        ],  # fmt: skip
        page=page,
        more=len(chunk) > PAGE,
    )
    tz = zone(agency)
    for call in chunk[:PAGE]:
        out.rows.append(
            [
                call.incident_number,
                timezone.localtime(call.first_event_at, tz).strftime("%Y-%m-%d %H:%M"),
                call.beat, call.district,
                call.priority.code if call.priority else "",
                call.call_type.code if call.call_type else "",
                call.get_status_display(),
                _span(call.received_at, call.dispatched_at),
                _span(call.dispatched_at, call.onscene_at),
                "" if call.cleared_time_unknown else _span(call.received_at, call.cleared_at),
                _("Yes") if call._notice else "",  # type: ignore[attr-defined]
            ]
        )  # fmt: skip
    return out
