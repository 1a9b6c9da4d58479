"""The public transparency log: a page with filters, and its CSV."""

from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.views.decorators.http import require_safe

from porchlight.agencies.models import Agency
from porchlight.alerts.views import public_page
from porchlight.assist import log
from porchlight.assist.models import Status


@require_safe
def log_page(request: HttpRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(Agency, slug=slug)
    try:
        since, until, status = log.parse_filters(request.GET)
        problem = ""
    except log.BadFilter as exc:
        since, until, status, problem = None, None, "", str(exc)
    entries = log.entries(agency, since, until, status)
    statuses = [(value, label) for value, label in Status.choices if value in log.PUBLIC_STATUSES]
    context = {
        "entries": entries,
        "since": since,
        "until": until,
        "status": status,
        "statuses": statuses,
        "problem": problem,
        "query": request.GET.urlencode(),
    }
    return public_page(request, "assist/log.html", agency, context, status=400 if problem else 200)


@require_safe
def log_csv(request: HttpRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(Agency, slug=slug)
    try:
        since, until, status = log.parse_filters(request.GET)
    except log.BadFilter as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{agency.slug}-assistance-requests.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(log.FIELDS)
    with translation.override("en"):
        for entry in log.entries(agency, since, until, status):
            writer.writerow(entry.row())
    return response
