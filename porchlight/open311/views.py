"""GeoReport v2 endpoints under /open311/v2/ (docs/integrators.md, "Open311").

Plain views: each reads its parameters, answers a spec error (400/403/404/405) with a reason
when they are wrong, and otherwise writes the spec's document in the format the URL names.
Reading is public, as the spec intends; only POST requests needs an API key.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db.models import Count, Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import is_ratelimited

from porchlight.agencies.keys import authenticate, presented_key
from porchlight.agencies.models import Agency
from porchlight.notify import pii
from porchlight.open311 import formats, services
from porchlight.open311.requests import (
    attributes,
    created_document,
    request_document,
    token_document,
)
from porchlight.reports import location
from porchlight.reports.answers import PREFIX, AnswersForm
from porchlight.reports.filing import file_report
from porchlight.reports.models import Category, Report, Source

MAX_PARAM = 200
# Longer on purpose: free text, and comma-separated lists (checked again item by item).
MAX_LONG_PARAM = {
    "description": 8000,
    "address_string": 1000,
    "media_url": 1000,
    "service_request_id": 5000,
    "service_code": 2000,
}


class Refused(Exception):
    """A request the spec says to refuse: answered as its error document with this status."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def param(request: HttpRequest, name: str) -> str:
    source = request.POST if request.method == "POST" else request.GET
    value = source.get(name, "")
    if len(value) > MAX_LONG_PARAM.get(name, MAX_PARAM):
        raise Refused(400, f"{name} is too long")
    if "\x00" in value:
        # PostgreSQL cannot store it, and no real value has one.
        raise Refused(400, f"{name} contains a NUL character")
    return value.strip()


def jurisdiction(request: HttpRequest) -> Agency:
    """The agency a request is about: its jurisdiction_id (the agency's short name), which may be
    left out only when the deployment serves one agency."""
    wanted = param(request, "jurisdiction_id")
    if wanted:
        agency = Agency.objects.filter(slug=wanted).first()
        if agency is None:
            raise Refused(404, f"jurisdiction_id {wanted!r} is not served here")
        return agency
    agencies = list(Agency.objects.order_by("pk")[:2])
    if len(agencies) == 1:
        return agencies[0]
    raise Refused(400, "jurisdiction_id is required: this server serves several agencies")


def language(request: HttpRequest, agency: Agency) -> str:
    """Open311 has no language parameter; `locale` (a common extension) picks one we have."""
    wanted = param(request, "locale").replace("_", "-").split("-")[0].lower()
    return wanted if wanted in ("en", "es") else agency.default_language


def offered(agency: Agency) -> list[Category]:
    return list(
        Category.objects.filter(agency=agency, active=True)
        .select_related("agency")
        .annotate(question_count=Count("questions"))
    )


def _methods(request: HttpRequest, fmt: str, *allowed: str) -> HttpResponse | None:
    if request.method in allowed or (request.method == "HEAD" and "GET" in allowed):
        return None
    response = formats.error(fmt, 405, f"{request.method} is not allowed here")
    response["Allow"] = ", ".join(allowed)
    return response


def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    if (wrong := _methods(request, fmt, "GET")) is not None:
        return wrong
    latest = Category.objects.aggregate(latest=Max("updated_at"))["latest"] or timezone.now()
    changeset = latest.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    url = request.build_absolute_uri("/open311/v2/")
    return formats.respond(fmt, "discovery", services.discovery(url, changeset))


def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    if (wrong := _methods(request, fmt, "GET")) is not None:
        return wrong
    try:
        agency = jurisdiction(request)
        lang = language(request, agency)
    except Refused as refused:
        return formats.error(fmt, refused.status, refused.description)
    document = [services.service(c, lang) for c in offered(agency)]
    return formats.respond(fmt, "services", document)


def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    if (wrong := _methods(request, fmt, "GET")) is not None:
        return wrong
    try:
        agency = jurisdiction(request)
        lang = language(request, agency)
    except Refused as refused:
        return formats.error(fmt, refused.status, refused.description)
    category = (
        Category.objects.filter(agency=agency, code=code, active=True)
        .select_related("agency")
        .first()
    )
    if category is None:
        return formats.error(fmt, 404, f"service_code {code!r} not found")
    return formats.respond(fmt, "service_definition", services.definition(category, lang))


def not_found(request: HttpRequest, rest: str) -> HttpResponse:
    fmt = "xml" if rest.endswith(".xml") else "json"
    if not rest.endswith((".json", ".xml")):
        return formats.error(fmt, 404, "not found: the path must end in .json or .xml")
    return formats.error(fmt, 404, "not found")


# --- Filed reports ------------------------------------------------------------------------------

MAX_IDS = 100
MAX_RESULTS = 1000
DEFAULT_DAYS = 90


def _number(text: str, name: str) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise Refused(400, f"{name} is not a number") from None
    if not math.isfinite(value):
        raise Refused(400, f"{name} is not a number")
    return value


def _when(text: str, name: str, agency: Agency) -> datetime | None:
    if not text:
        return None
    try:
        moment = parse_datetime(text)
    except ValueError:
        moment = None
    if moment is None:
        raise Refused(400, f"{name} is not a W3C datetime, e.g. 2026-12-01T00:00:00Z")
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=agency.tz)
    return moment


def _reports(agency: Agency) -> QuerySet[Report]:
    # A case a detective later marks domestic-violence related leaves the public record, as
    # sensitive calls never enter it (DESIGN.md, privacy rules).
    return Report.objects.filter(agency=agency, case__domestic_violence=False).select_related(
        "case", "category__agency", "agency"
    )


@csrf_exempt
def service_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if (wrong := _methods(request, fmt, "GET", "POST")) is not None:
        return wrong
    try:
        if request.method == "POST":
            return _create(request, fmt)
        return _search(request, fmt)
    except Refused as refused:
        return formats.error(fmt, refused.status, refused.description)


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    raw_key = param(request, "api_key") or presented_key(request)
    key = authenticate(raw_key)
    if key is None:
        raise Refused(403, "api_key is missing or not valid")
    if key.source != "open311":
        raise Refused(403, "this api_key is not for Open311: ask for one with the source 'open311'")
    if is_ratelimited(
        request,
        group="open311.post",
        key=lambda group, request: f"key:{key.pk}",
        rate=settings.OPEN311_RATE_LIMIT,
        increment=True,
    ):
        raise Refused(429, "too many requests for this api_key; try again in a minute")
    # Without jurisdiction_id, the key's own agency (its key names it).
    agency = jurisdiction(request) if param(request, "jurisdiction_id") else key.agency
    if agency.pk not in key.covered_agency_ids():
        raise Refused(403, f"this api_key may not file reports for {agency.slug!r}")
    lang = language(request, agency)
    code = param(request, "service_code")
    if not code:
        raise Refused(400, "service_code is required")
    category = (
        Category.objects.filter(agency=agency, code=code, active=True)
        .select_related("agency")
        .first()
    )
    if category is None:
        raise Refused(400, f"service_code {code!r} is not offered")

    # Where: lat/long, or address_string (address_id names nothing here).
    lat = _number(param(request, "lat"), "lat")
    lon = _number(param(request, "long"), "long")
    if (lat is None) != (lon is None):
        raise Refused(400, "lat and long go together")
    address = param(request, "address_string")[:300]
    try:
        place = location.resolve(agency, address, lat, lon, need_point=False)
    except ValueError:
        raise Refused(400, "lat and long are not a point on Earth") from None
    if place is None and category.address_required:
        raise Refused(400, "a location is required: lat and long, or address_string")

    description = param(request, "description")
    if len(description) > 4000:
        raise Refused(400, "description is longer than 4000 characters")
    if category.description_required and not description:
        raise Refused(400, "description is required for this service")
    phone = param(request, "phone")
    if phone and pii.normalize_phone(phone) is None:
        raise Refused(400, "phone is not a phone number")
    email = param(request, "email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Refused(400, "email is not an email address") from None
    if category.contact_required and not (phone or email):
        raise Refused(400, "email or phone is required for this service")
    media_url = param(request, "media_url")
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise Refused(400, "media_url is not an http(s) URL") from None
        if len(media_url) > 500:
            raise Refused(400, "media_url is longer than 500 characters")

    with translation.override(lang):
        answers = AnswersForm(category, lang, attributes(request.POST))
        if not answers.is_valid():
            problems = [
                f"attribute[{field.removeprefix(PREFIX)}]: {' '.join(str(e) for e in errors)}"
                for field, errors in answers.errors.items()
            ]
            raise Refused(400, "; ".join(problems))
    report = file_report(
        category,
        source=Source.OPEN311,
        description=description,
        answers=answers.answers(),
        place=place,
        reporter_phone=phone,
        reporter_email=email,
        language=lang,
        media_url=media_url,
        api_key=key,
    )
    return formats.respond(fmt, "service_requests", created_document(report, lang), status=201)


def _search(request: HttpRequest, fmt: str) -> HttpResponse:
    agency = jurisdiction(request)
    lang = language(request, agency)
    found = _reports(agency)
    ids = [i.strip() for i in param(request, "service_request_id").split(",") if i.strip()]
    if ids:
        # The spec: service_request_id overrides every other filter.
        if len(ids) > MAX_IDS:
            raise Refused(400, f"at most {MAX_IDS} service_request_id values")
        found = found.filter(case__number__in=ids)
    else:
        codes = [c.strip() for c in param(request, "service_code").split(",") if c.strip()]
        if codes:
            found = found.filter(category__code__in=codes)
        statuses = {s.strip() for s in param(request, "status").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise Refused(400, "status must be open, closed, or both")
        if statuses == {"open"}:
            found = found.filter(case__closed_at__isnull=True)
        elif statuses == {"closed"}:
            found = found.filter(case__closed_at__isnull=False)
        start = _when(param(request, "start_date"), "start_date", agency)
        end = _when(param(request, "end_date"), "end_date", agency)
        span = timedelta(days=DEFAULT_DAYS)
        # The spec: without dates, the last 90 days; with one, 90 days from or up to it.
        if end is None:
            end = start + span if start is not None else timezone.now()
        if start is None:
            start = end - span
        if end < start:
            raise Refused(400, "end_date is before start_date")
        if end - start > span:
            raise Refused(400, f"start_date to end_date may span at most {DEFAULT_DAYS} days")
        found = found.filter(filed_at__gte=start, filed_at__lte=end)
    document = [request_document(r, lang) for r in found[:MAX_RESULTS]]
    return formats.respond(fmt, "service_requests", document)


def service_request(request: HttpRequest, number: str, fmt: str) -> HttpResponse:
    if (wrong := _methods(request, fmt, "GET")) is not None:
        return wrong
    try:
        agency = jurisdiction(request)
        lang = language(request, agency)
    except Refused as refused:
        return formats.error(fmt, refused.status, refused.description)
    report = _reports(agency).filter(case__number=number).first()
    if report is None:
        return formats.error(fmt, 404, f"service_request_id {number!r} not found")
    return formats.respond(fmt, "service_requests", [request_document(report, lang)])


def token(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    if (wrong := _methods(request, fmt, "GET")) is not None:
        return wrong
    try:
        agency = jurisdiction(request)
    except Refused as refused:
        return formats.error(fmt, refused.status, refused.description)
    report = _reports(agency).filter(token=token).first()
    if report is None:
        return formats.error(fmt, 404, "token not found")
    return formats.respond(fmt, "service_requests", token_document(report))
