"""The rows behind a figure: the calls (messages, responses, cases) a figure counted, read
directly from their tables with the same filters and the figure's own narrowing (a day and
hour, a delay notice, a measured interval). Paged, newest first, no personal data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import DurationField, Exists, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone
from django.utils.translation import gettext as _

from porchlight.agencies.models import Agency
from porchlight.calls.models import Call
from porchlight.insights import buckets
from porchlight.insights.filters import BadFilter, Filters, any_of, clocks
from porchlight.insights.rollups import delayed_calls

PAGE = 100
MINUTE, DAY = "%Y-%m-%d %H:%M", "%Y-%m-%d"


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


def one_page(qs: QuerySet[Any], page: int) -> tuple[list[Any], bool]:
    """The page's rows of an ordered queryset, and whether another page follows (one row
    more is read to know)."""
    found = list(qs[(page - 1) * PAGE : page * PAGE + 1])
    return found[:PAGE], len(found) > PAGE


def calls(agency: Agency | None, filters: Filters, query: Any) -> QuerySet[Call]:
    qs = Call.objects.filter(filters.window("first_event_at", agency))
    if agency is not None:
        qs = qs.filter(agency=agency)
    qs = qs.filter(filters.calls_q())
    dow, hour = _int(query, "dow", 1, 7), _int(query, "hour", 0, 23)
    if dow is not None or hour is not None:
        qs = _at_local(qs, agency, dow, hour)
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


def _at_local(
    qs: QuerySet[Call], agency: Agency | None, dow: int | None, hour: int | None
) -> QuerySet[Call]:
    """The calls that began on that weekday and/or hour of their agency's clock (the calls
    dashboard's day × hour grid, which the rollups count on each agency's clock). Across
    agencies, one local weekday and hour per time zone in use."""
    conditions = []
    for n, (which, tz) in enumerate(clocks(agency)):
        parts: dict[str, Any] = {}
        if dow is not None:
            parts[f"_dow{n}"] = ExtractIsoWeekDay("first_event_at", tzinfo=tz)
        if hour is not None:
            parts[f"_hour{n}"] = ExtractHour("first_event_at", tzinfo=tz)
        qs = qs.annotate(**parts)
        wanted = {name: dow if name.startswith("_dow") else hour for name in parts}
        conditions.append(which & Q(**wanted))
    return qs.filter(any_of(conditions))


def _span(start: Any, end: Any) -> str:
    if start is None or end is None or end < start:
        return ""
    seconds = int((end - start).total_seconds())
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def local(at: datetime | None, scope: Agency | None, owner: Agency, fmt: str = MINUTE) -> str:
    """A time on the clock of the agency the row belongs to. Staff see their own agency's
    rows; a platform superuser's all-agency view mixes agencies, so each row is shown on its
    own agency's clock, with the zone's abbreviation (PST, EST) to say which."""
    if at is None:
        return ""
    shown = timezone.localtime(at, scope.tz if scope is not None else owner.tz)
    text = shown.strftime(fmt)
    return text if scope is not None or fmt != MINUTE else f"{text} {shown.tzname()}"


def call_rows(agency: Agency | None, filters: Filters, query: Any) -> Rows:
    page = page_of(query)
    qs = (
        calls(agency, filters, query)
        .select_related("priority", "call_type", "agency")
        .annotate(_notice=Exists(delayed_calls()))
        .order_by("-first_event_at", "-id")
    )
    chunk, more = one_page(qs, page)
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
        more=more,
    )
    for call in chunk:
        out.rows.append(
            [
                call.incident_number,
                local(call.first_event_at, agency, call.agency),
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


def message_rows(agency: Agency | None, filters: Filters, query: Any) -> Rows:
    from porchlight.insights.dashboards import messages
    from porchlight.notify.models import Channel, Trigger

    qs = messages.outbox(agency, filters)
    group = str(query.get("state", ""))
    if group:
        if group not in messages.GROUPS:
            raise BadFilter(_("Unknown state."))
        qs = qs.filter(state__in=messages.GROUPS[group])
    channel = str(query.get("channel", ""))
    if channel:
        if channel not in Channel.values:
            raise BadFilter(_("Unknown channel."))
        qs = qs.filter(channel=channel)
    trigger = str(query.get("trigger", ""))
    if trigger:
        if trigger not in Trigger.values:
            raise BadFilter(_("Unknown kind of message."))
        qs = qs.filter(trigger=trigger)
    reason = str(query.get("reason", ""))[:200]
    if reason:
        qs = qs.filter(messages.reason_q(reason)) if group == "failed" else qs.filter(reason=reason)
    page = page_of(query)
    chunk, more = one_page(qs.select_related("call", "agency").order_by("-created", "-id"), page)
    out = Rows(
        _("Messages"),
        [
            _("Message"),
            _("Planned"),
            _("Channel"),
            _("Kind"),
            _("State"),
            _("Reason"),
            _("Incident"),
        ],
        page=page,
        more=more,
    )
    for row in chunk:
        out.rows.append(
            [
                str(row.pk), local(row.created, agency, row.agency),
                row.get_channel_display(), row.get_trigger_display(), row.get_state_display(),
                row.error_code or row.reason, row.call.incident_number if row.call else "",
            ]
        )  # fmt: skip
    return out


def response_rows(agency: Agency | None, filters: Filters, query: Any) -> Rows:
    """The survey responses behind the feedback figures: scores, never the comments."""
    from porchlight.feedback.models import About, Kind, Response
    from porchlight.insights.dashboards import feedback

    invitations = feedback.measures_filters(filters).invitations(agency)
    qs = Response.objects.filter(
        invitation__in=invitations.values("pk"), submitted_at__isnull=False
    )
    page = page_of(query)
    chunk, more = one_page(
        qs.select_related("invitation__call", "invitation__shift", "invitation__agency")
        .prefetch_related("answers__question")
        .order_by("-submitted_at", "-id"),
        page,
    )
    out = Rows(
        _("Survey responses"),
        [
            _("Response"),
            _("Submitted"),
            _("Incident"),
            _("Beat"),
            _("District"),
            _("Call type"),
            _("Shift"),
            _("Overall (1–5)"),
            "NPS (0–10)",
        ],  # fmt: skip
        page=page,
        more=more,
    )
    for response in chunk:
        inv = response.invitation
        overall = nps = ""
        for answer in response.answers.all():
            if answer.number is None:
                continue
            if answer.question.kind == Kind.RATING and answer.question.about == About.OVERALL:
                overall = str(answer.number)
            elif answer.question.kind == Kind.NPS:
                nps = str(answer.number)
        out.rows.append(
            [
                str(response.pk),
                local(response.submitted_at, agency, inv.agency),
                inv.call.incident_number if inv.call else inv.reference,
                inv.beat, inv.district, inv.call_type, inv.shift.name if inv.shift else "",
                overall, nps,
            ]
        )  # fmt: skip
    return out


def case_rows(agency: Agency | None, filters: Filters, query: Any) -> Rows:
    from django.db.models import Min, Q

    from porchlight.cases.models import EventKind, Term
    from porchlight.insights.dashboards import cases

    qs = cases.cases(agency, filters)
    term = str(query.get("term", ""))
    if term:
        if term not in Term.values:
            raise BadFilter(_("Unknown status."))
        qs = qs.filter(term=term)
    if query.get("open") == "1":
        qs = qs.exclude(term__in=cases.OVER)
    if query.get("cleared") == "1":
        qs = qs.filter(term__in=cases.CLEARED)
    qs = qs.annotate(assigned_at=Min("events__at", filter=Q(events__kind=EventKind.ASSIGNED)))
    if query.get("assigned") == "1":
        qs = qs.filter(assigned_at__isnull=False)
    page = page_of(query)
    chunk, more = one_page(qs.select_related("agency").order_by("-created", "-id"), page)
    out = Rows(
        _("Cases"),
        [_("Case"), _("Opened"), _("Status"), _("Assigned after"), _("Closed")],
        page=page,
        more=more,
    )
    for case in chunk:
        out.rows.append(
            [
                case.number, local(case.created, agency, case.agency),
                case.get_term_display(), _span(case.created, case.assigned_at),  # type: ignore[attr-defined]
                local(case.closed_at, agency, case.agency, DAY),
            ]
        )  # fmt: skip
    return out
