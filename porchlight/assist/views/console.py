"""Staff pages for requests for assistance: list, create, approve or reject, close, the
shares with their downloads, and taking a share into evidence.

Agency-scoped through agencies.console.scoped; roles per flow.CREATORS / APPROVERS / READERS.
Every change and every download is audited (flow.py, sharing.py).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from porchlight.agencies import console
from porchlight.agencies.models import Agency
from porchlight.agencies.permissions import Cap, requires
from porchlight.agencies.staff import agency_scope
from porchlight.assist import flow, limits, sharing
from porchlight.assist.forms import RequestForm
from porchlight.assist.models import AssistanceRequest, Share, ShareFile, Status
from porchlight.audit.log import record
from porchlight.publicmap.basemap import base_map


def _reader(request: HttpRequest) -> None:
    if not request.user.is_superuser and flow.role_of(request.user) not in flow.READERS:
        raise PermissionDenied


def _scoped_requests(request: HttpRequest) -> Any:
    return console.scoped(request, AssistanceRequest.objects.select_related("agency", "case"))


@requires(Cap.ASSIST)
def request_list(request: HttpRequest) -> HttpResponse:
    _reader(request)
    items = _scoped_requests(request)[:200]
    return console.page(
        request,
        "assist/console_list.html",
        {"items": items, "section": "assist", "can_create": _can_create(request)},
    )


def _can_create(request: HttpRequest) -> bool:
    return agency_scope(request) is not None and flow.role_of(request.user) in flow.CREATORS


@requires(Cap.ASSIST)
def request_new(request: HttpRequest) -> HttpResponse:
    _reader(request)
    agency = agency_scope(request)
    if agency is None or not _can_create(request):
        raise PermissionDenied
    rules = limits.limits_for(agency)
    form = RequestForm(request.POST or None, limits=rules)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                item = flow.create(
                    agency, case_number=data["case_number"], center=form.center(),
                    radius_m=data["radius_m"] if data["polygon"] is None else None,
                    polygon=data["polygon"], neighborhood=data["neighborhood"],
                    window_start=data["window_start"], window_end=data["window_end"],
                    incident_type=data["incident_type"], description=data["description"],
                    contact_name=data["contact_name"], contact_phone=data["contact_phone"],
                    contact_email=data["contact_email"],
                    expires_at=form.expires_at(timezone.now()),
                    actor=request.user, request=request,
                )  # fmt: skip
            except limits.LimitExceeded as exc:
                field = exc.field if exc.field in form.fields else None
                message = exc.message
                if exc.field == "case_number":
                    message = _("No case with this number in your agency.")
                elif exc.field == "neighborhood":
                    message = _("Name the neighborhood: the area touches no beat.")
                form.add_error(field, message)
            else:
                messages.success(request, _("Draft saved. Send it for approval when it is ready."))
                return redirect("assist:console_detail", item.pk)
    context = {
        "form": form,
        "limits": rules,
        "section": "assist",
        "area_map": area_map(agency, rules),
    }
    return console.page(request, "assist/console_new.html", context, status=status)


# The radius a first click on the map proposes, when the field is empty.
FIRST_RADIUS_M = 250


def area_map(agency: Agency, rules: limits.Limits) -> dict[str, str] | None:
    """The request form's map (static/assist/areamap.js): the public map's base layer fitted
    to the agency's area, and a first radius within the agency's limit; None (no map, the
    fields alone) when the agency has no area yet."""
    base = base_map(agency)
    if base is None:
        return None
    return {**base, "radius": str(min(FIRST_RADIUS_M, rules.max_radius_m))}


@requires(Cap.ASSIST)
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    item = get_object_or_404(_scoped_requests(request), pk=pk)
    shares = list(
        Share.objects.filter(request=item).prefetch_related("files__media_file").order_by("id")
    )
    record("assist.view_shares", request=request, agency=item.agency, target=item,
           changes={"shares": len(shares)})  # fmt: skip
    user = request.user
    can_approve = item.status == Status.PENDING
    try:
        flow.check_approver(item, user)
    except flow.NotAllowed:
        can_approve = False
    context = {
        "item": item,
        "shares": shares,
        "section": "assist",
        "can_approve": can_approve,
        "own_pending": item.status == Status.PENDING and item.created_by_id == user.pk,
        "can_submit": item.status == Status.DRAFT and flow.role_of(user) in flow.CREATORS,
        "can_close": item.status == Status.SENT and flow.role_of(user) in flow.CREATORS,
    }
    return console.page(request, "assist/console_detail.html", context)


@require_POST
@requires(Cap.ASSIST)
def request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _reader(request)
    item = get_object_or_404(_scoped_requests(request), pk=pk)
    try:
        if action == "submit":
            flow.submit(item, actor=request.user, request=request)
            messages.success(request, _("Sent for approval. A supervisor approves it."))
        elif action == "approve":
            notified = flow.approve(item, actor=request.user, request=request)
            messages.success(
                request, _("Approved and sent to %(count)d residents.") % {"count": notified}
            )
        elif action == "reject":
            flow.reject(item, request.POST.get("reason", ""), actor=request.user, request=request)
            messages.success(request, _("Rejected."))
        elif action == "close":
            flow.close(item, actor=request.user, request=request)
            messages.success(request, _("Closed: it takes no more shares."))
        else:
            return HttpResponse(status=404)
    except flow.NotAllowed as exc:
        messages.error(request, _describe(exc))
        detail = request_detail(request, pk)
        detail.status_code = exc.status
        return detail
    return redirect("assist:console_detail", item.pk)


def _describe(exc: Exception) -> str:
    text = str(exc)
    if "cannot approve their own" in text:
        return _("You asked for this request, so another supervisor must approve it.")
    if "only a supervisor" in text:
        return _("Only a supervisor or an agency admin approves requests.")
    if "expired" in text:
        return _("The request expired before it was approved.")
    return _("That step is not open for this request now.")


@require_POST
@requires(Cap.ASSIST)
def share_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    made = get_object_or_404(
        Share.objects.select_related("request__agency"),
        pk=pk,
        request__in=_scoped_requests(request),
    )
    try:
        sharing.take_into_evidence(made, actor=request.user, request=request)
        messages.success(request, _("Taken into evidence: it is kept with the case."))
    except sharing.Refused:
        messages.error(request, _("This share is withdrawn, deleted or already in evidence."))
    return redirect("assist:console_detail", made.request_id)


@requires(Cap.ASSIST)
def file_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    _reader(request)
    link = get_object_or_404(
        ShareFile.objects.select_related("media_file", "share__request__agency"),
        pk=pk,
        share__request__in=_scoped_requests(request),
    )
    return sharing.download(request, link)
