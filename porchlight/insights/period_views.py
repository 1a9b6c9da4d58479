"""The period report page: /console/insights/period/?since=…&until=… (the agency's dates)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from porchlight.agencies import console
from porchlight.agencies.models import Agency
from porchlight.agencies.staff import agency_scope
from porchlight.insights import pdf, period
from porchlight.insights.access import dashboards
from porchlight.insights.filters import BadFilter, Filters


def _page(request: HttpRequest) -> tuple[HttpResponse, Agency | None, Filters | None]:
    scope = agency_scope(request)
    # The report is agency-wide: only the dates are read (a beat filter is the dashboards').
    dates = {k: request.GET.get(k, "") for k in ("since", "until")}
    try:
        filters = Filters.from_query(dates, scope)
    except BadFilter as exc:
        refused = HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
        return refused, scope, None
    context = {
        "section": "insights",
        "report": period.build(scope, filters),
        "shortcuts": [(name, f.query()) for name, f in period.shortcuts(scope)],
        "filters": filters,
        "query": filters.query(),
    }
    return console.page(request, "insights/period.html", context), scope, filters


@dashboards()
def report(request: HttpRequest) -> HttpResponse:
    return _page(request)[0]


@dashboards()
def report_pdf(request: HttpRequest) -> HttpResponse:
    """The same page as a PDF, laid out with its print stylesheet (pdf.py)."""
    page, scope, filters = _page(request)
    if filters is None:
        return page
    try:
        body = pdf.render(page.content.decode(page.charset or "utf-8"))
    except pdf.Unavailable:
        message = _(
            "This server cannot make PDFs: it lacks the Pango library (see the operators' "
            "guide). Print the report page and choose Save as PDF instead."
        )
        return HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(body, content_type="application/pdf")
    who = scope.slug if scope is not None else "all-agencies"
    name = f"report-{who}-{filters.since}-{filters.until}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
