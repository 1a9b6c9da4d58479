"""GeoReport v2 endpoints under /open311/v2/ (docs/integrators.md, "Open311").

Plain views: each reads its parameters, answers a spec error (400/403/404/405) with a reason
when they are wrong, and otherwise writes the spec's document in the format the URL names.
Reading is public, as the spec intends; only POST requests needs an API key.
"""

from __future__ import annotations

from datetime import UTC

from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from porchlight.agencies.models import Agency
from porchlight.open311 import formats, services
from porchlight.reports.models import Category

MAX_PARAM = 200


class Refused(Exception):
    """A request the spec says to refuse: answered as its error document with this status."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def param(request: HttpRequest, name: str) -> str:
    source = request.POST if request.method == "POST" else request.GET
    value = source.get(name, "")
    if len(value) > MAX_PARAM and name not in ("description", "address_string", "media_url"):
        raise Refused(400, f"{name} is too long")
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
