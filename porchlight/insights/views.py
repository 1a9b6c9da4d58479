"""The insights pages: each dashboard, its CSV, and the rows behind its figures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from porchlight.agencies import console
from porchlight.agencies.models import Agency
from porchlight.agencies.staff import agency_scope
from porchlight.insights import exports, rows
from porchlight.insights.access import dashboards
from porchlight.insights.dashboards import calls, cases, feedback, messages
from porchlight.insights.figures import Dashboard
from porchlight.insights.filters import BadFilter, Filters

Compute = Callable[[Agency | None, Filters], Dashboard]
RowsOf = Callable[[Agency | None, Filters, Any], rows.Rows]

DASHBOARDS: dict[str, tuple[Compute, RowsOf]] = {
    "calls": (calls.compute, rows.call_rows),
    "messages": (messages.compute, rows.message_rows),
    "feedback": (feedback.compute, rows.response_rows),
    "cases": (cases.compute, rows.case_rows),
}


def _tabs() -> list[tuple[str, str]]:
    return [
        ("calls", _("Calls")),
        ("messages", _("Messages")),
        ("feedback", _("Feedback")),
        ("cases", _("Cases")),
    ]


def _read(request: HttpRequest, kind: str) -> tuple[Agency | None, Filters]:
    if kind not in DASHBOARDS:
        raise Http404
    scope = agency_scope(request)
    return scope, Filters.from_query(request.GET, scope)


def _refused(exc: BadFilter) -> HttpResponse:
    return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")


@dashboards()
def dashboard(request: HttpRequest, kind: str = "calls") -> HttpResponse:
    try:
        scope, filters = _read(request, kind)
    except BadFilter as exc:
        return _refused(exc)
    board = DASHBOARDS[kind][0](scope, filters)
    context = {
        "section": "insights",
        "kind": kind,
        "tabs": _tabs(),
        "board": board,
        # Reversed once: a page has hundreds of links to it (a url tag each would be slow).
        "rows_url": reverse("insights:rows", args=[kind]),
        "filters": filters,
        "query": filters.query(),
    }
    return console.page(request, "insights/dashboard.html", context)


@dashboards()
def dashboard_csv(request: HttpRequest, kind: str) -> HttpResponse:
    try:
        scope, filters = _read(request, kind)
    except BadFilter as exc:
        return _refused(exc)
    board = DASHBOARDS[kind][0](scope, filters)
    response = HttpResponse(exports.dashboard_csv(board), content_type="text/csv; charset=utf-8")
    name = f"{kind}-{filters.since}-{filters.until}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@dashboards()
def figure_rows(request: HttpRequest, kind: str) -> HttpResponse:
    try:
        scope, filters = _read(request, kind)
        found = DASHBOARDS[kind][1](scope, filters, request.GET)
    except BadFilter as exc:
        return _refused(exc)
    if request.GET.get("format") == "csv":
        response = HttpResponse(exports.rows_csv(found), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{kind}-rows.csv"'
        return response
    keep = {k: v for k, v in request.GET.items() if k != "page"}
    context = {
        "section": "insights",
        "kind": kind,
        "tabs": _tabs(),
        "found": found,
        "filters": filters,
        "back": filters.query(),
        "here": urlencode(keep),
    }
    return console.page(request, "insights/rows.html", context)
