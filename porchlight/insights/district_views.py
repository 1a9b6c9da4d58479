"""/console/insights/districts/: the agency's district shapes, and (for those who configure the
agency) a GeoJSON upload that adds or replaces them. Audited: the file name and what changed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from porchlight.agencies import console
from porchlight.agencies.models import Agency
from porchlight.agencies.permissions import Cap, requires
from porchlight.agencies.staff import agency_scope
from porchlight.alerts.beats import ImportResult
from porchlight.audit.log import record
from porchlight.insights import districts
from porchlight.insights.models import District
from porchlight.insights.views import _tabs


def _agency(request: HttpRequest) -> Agency | None:
    """The staff member's agency; a superuser without one picks it (the form's select)."""
    scope = agency_scope(request)
    if scope is not None:
        return scope
    slug = (request.POST.get("agency") or request.GET.get("agency") or "").strip()
    return Agency.objects.filter(slug=slug).first() if slug else None


def _page(
    request: HttpRequest,
    agency: Agency | None,
    *,
    error: str = "",
    result: ImportResult | None = None,
    status: int = 200,
) -> HttpResponse:
    shown = (
        District.objects.filter(agency=agency) if agency is not None else District.objects.none()
    )
    context = {
        "section": "insights",
        "kind": "districts",
        "tabs": _tabs(),
        "agency": agency,
        "agencies": Agency.objects.order_by("name") if agency_scope(request) is None else [],
        "districts": shown.order_by("code"),
        "error": error,
        "result": result,
    }
    return console.page(request, "insights/districts.html", context, status=status)


@require_http_methods(["GET", "POST"])
@requires(Cap.INSIGHTS, post=Cap.CONFIGURE)
def districts_page(request: HttpRequest) -> HttpResponse:
    agency = _agency(request)
    if request.method == "GET":
        return _page(request, agency)
    if agency is None:
        return _page(
            request, None, error=_("Choose the agency the districts belong to."), status=400
        )
    file = request.FILES.get("file")
    if file is None:
        return _page(request, agency, error=_("Choose a GeoJSON file to upload."), status=400)
    code_property = (request.POST.get("code_property") or "district").strip()[:64]
    name_property = (request.POST.get("name_property") or "name").strip()[:64]
    if file.size is not None and file.size > districts.beats.MAX_BYTES:
        return _page(request, agency, error=_("The file is too large."), status=400)
    try:
        result = districts.import_geojson(
            agency, file.read(), code_property=code_property, name_property=name_property
        )
    except districts.DistrictFileError as exc:
        return _page(
            request, agency, status=400,
            error=_("This file cannot be read as districts: %(reason)s") % {"reason": exc},
        )  # fmt: skip
    record(
        "insights.districts_import", request=request, agency=agency, target=agency,
        changes={"file": file.name, "added": result.added, "updated": result.updated,
                 "skipped": len(result.skipped)},
    )  # fmt: skip
    status = 200 if result.added or result.updated else 400
    if status == 400:
        error = _("No district could be read from this file; see the reasons below.")
        return _page(request, agency, error=error, result=result, status=status)
    return _page(request, agency, result=result)
