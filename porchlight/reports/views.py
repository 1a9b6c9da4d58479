"""The public online report pages: pick a category, fill in the form, get the case number.

No login. In the visitor's language (?lang=, else the browser's), with the public pages' link
language switch. Filing is rate-limited per IP (REPORTS_RATE_LIMIT) and goes through
filing.file_report, like Open311's.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django_ratelimit.decorators import ratelimit

from porchlight.agencies.models import Agency
from porchlight.calls.track import language_for, language_links
from porchlight.notify import pii
from porchlight.reports.answers import AnswersForm
from porchlight.reports.filing import file_report
from porchlight.reports.forms import ReportForm
from porchlight.reports.models import Category, Report, Source
from porchlight.reports.pinmap import pin_map

FILED = "reports.filed"


def _rate(group: str, request: HttpRequest) -> str:
    return str(settings.REPORTS_RATE_LIMIT)


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], language: str, status: int = 200
) -> HttpResponse:
    agency = context.get("agency")
    if agency is not None:
        number = agency.non_emergency_number
        context["phone"] = number
        context["phone_href"] = pii.normalize_phone(number) or number
    with translation.override(language):
        response = render(
            request,
            template,
            {**context, "lang": language, "languages": language_links(language)},
            status=status,
        )
    response["Content-Language"] = language
    response["Cache-Control"] = "private, no-store"
    return response


def _not_found(request: HttpRequest, language: str) -> HttpResponse:
    return _page(request, "reports/not_found.html", {}, language, status=404)


def _methods(request: HttpRequest, *allowed: str) -> HttpResponse | None:
    if request.method in allowed or (request.method == "HEAD" and "GET" in allowed):
        return None
    return HttpResponseNotAllowed(allowed)


def agencies(request: HttpRequest) -> HttpResponse:
    """The start page's link: the one agency taking reports online, or a choice of them."""
    if (wrong := _methods(request, "GET")) is not None:
        return wrong
    language = language_for(request, None)
    offering = list(
        Agency.objects.filter(report_categories__active=True).distinct().order_by("name")
    )
    if len(offering) == 1:
        return redirect(f"/report/{offering[0].slug}/?lang={language}")
    return _page(request, "reports/agencies.html", {"agencies": offering}, language)


def choose(request: HttpRequest, agency: str) -> HttpResponse:
    if (wrong := _methods(request, "GET")) is not None:
        return wrong
    language = language_for(request, None)
    found = Agency.objects.filter(slug=agency).first()
    if found is None:
        return _not_found(request, language)
    categories = [
        {"code": c.code, "name": c.name_in(language), "description": c.description_in(language)}
        for c in Category.objects.filter(agency=found, active=True).select_related("agency")
    ]
    return _page(
        request, "reports/choose.html", {"agency": found, "categories": categories}, language
    )


@never_cache
@ratelimit(key="ip", rate=_rate, group="reports.file", method="POST", block=False)
def form(request: HttpRequest, agency: str, code: str) -> HttpResponse:
    if (wrong := _methods(request, "GET", "POST")) is not None:
        return wrong
    language = language_for(request, None)
    category = (
        Category.objects.filter(agency__slug=agency, code=code, active=True)
        .select_related("agency")
        .first()
    )
    if category is None:
        return _not_found(request, language)
    context: dict[str, Any] = {
        "agency": category.agency,
        "category": category,
        "name": category.name_in(language),
        "notice": category.notice_in(language),
        "description": category.description_in(language),
        "pin": pin_map(category.agency),
    }
    if request.method == "POST" and getattr(request, "limited", False):
        response = _page(request, "reports/rate_limited.html", context, language, status=429)
        response["Retry-After"] = "3600"
        return response
    with translation.override(language):
        if request.method == "POST":
            main = ReportForm(category, language, request.POST, request.FILES)
            questions = AnswersForm(category, language, request.POST)
            if main.is_valid() and questions.is_valid():
                data = main.cleaned_data
                report = file_report(
                    category,
                    source=Source.ONLINE,
                    description=data.get("description", ""),
                    answers=questions.answers(),
                    place=main.place,
                    occurred_at=data.get("occurred_at"),
                    reporter_phone=data.get("phone", ""),
                    reporter_email=data.get("email", ""),
                    language=data["language"],
                    photos=data.get("photos") or [],
                )
                # The confirmation page reads the report from the session, so its address
                # reveals nothing and a reload does not file the report twice.
                request.session[FILED] = report.pk
                return redirect(f"{report_filed_path(category.agency)}?lang={language}")
            status = 400
        else:
            main = ReportForm(category, language)
            questions = AnswersForm(category, language)
            status = 200
    context.update({"form": main, "questions": questions})
    return _page(request, "reports/form.html", context, language, status=status)


def report_filed_path(agency: Agency) -> str:
    return f"/report/{agency.slug}/filed/"


@never_cache
def filed(request: HttpRequest, agency: str) -> HttpResponse:
    if (wrong := _methods(request, "GET")) is not None:
        return wrong
    language = language_for(request, None)
    pk = request.session.get(FILED)
    report = (
        Report.objects.filter(pk=pk, agency__slug=agency)
        .select_related("case", "category", "agency")
        .first()
        if isinstance(pk, int)
        else None
    )
    if report is None:
        return _not_found(request, language)
    context = {
        "agency": report.agency,
        "number": report.case.number,
        "name": report.category.name_in(language),
        "updates": report.case.victims.filter(reporter=True).exists(),
    }
    return _page(request, "reports/filed.html", context, language)
