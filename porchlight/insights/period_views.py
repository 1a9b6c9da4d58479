"""The period report page: /console/insights/period/?since=…&until=… (the agency's dates)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from porchlight.agencies import console
from porchlight.agencies.staff import agency_scope
from porchlight.insights import period
from porchlight.insights.access import dashboards
from porchlight.insights.filters import BadFilter, Filters


@dashboards()
def report(request: HttpRequest) -> HttpResponse:
    scope = agency_scope(request)
    # The report is agency-wide: only the dates are read (a beat filter is the dashboards').
    dates = {k: request.GET.get(k, "") for k in ("since", "until")}
    try:
        filters = Filters.from_query(dates, scope)
    except BadFilter as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    context = {
        "section": "insights",
        "report": period.build(scope, filters),
        "shortcuts": [(name, f.query()) for name, f in period.shortcuts(scope)],
        "filters": filters,
    }
    return console.page(request, "insights/period.html", context)
