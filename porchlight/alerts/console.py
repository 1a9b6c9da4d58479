"""Console pages for agency voice: publish an alert or post, pin, cancel (community-relations
staff and above: staff who can write)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from porchlight.agencies import console
from porchlight.agencies.permissions import Cap, requires
from porchlight.agencies.staff import agency_scope
from porchlight.alerts import fanout, publish
from porchlight.alerts.forms import PublishForm
from porchlight.alerts.models import Alert


@requires(Cap.CONSOLE, post=Cap.ALERTS_PUBLISH)
def alert_list(request: HttpRequest) -> HttpResponse:
    scope = agency_scope(request)
    form = None
    if request.method == "POST":
        return _publish(request)
    if scope is not None:
        form = PublishForm(agency=scope)
    alerts = console.scoped(request, Alert.objects.select_related("agency")).order_by(
        "-published_at"
    )[:100]
    return console.page(
        request,
        "alerts/console_list.html",
        {"form": form, "alerts": alerts, "section": "alerts", "now": timezone.now()},
    )


@requires(Cap.ALERTS_PUBLISH)
def _publish(request: HttpRequest) -> HttpResponse:
    scope = agency_scope(request)
    if scope is None:
        # A platform superuser belongs to no agency: alerts speak for one.
        messages.error(request, _("Sign in as the agency's staff to publish its alerts."))
        return redirect("alerts:console")
    form = PublishForm(request.POST, agency=scope)
    if not form.is_valid() or form.area is None:
        alerts = Alert.objects.filter(agency=scope).order_by("-published_at")[:100]
        context = {"form": form, "alerts": alerts, "section": "alerts", "now": timezone.now()}
        return console.page(request, "alerts/console_list.html", context, status=400)
    data = form.cleaned_data
    alert = publish.publish(
        scope, form.area, title=data["title"], body=data["body"], kind=data["kind"],
        severity=data["severity"], expires_at=form.expires_at(), pinned=data["pinned"],
        actor=request.user, request=request,
    )  # fmt: skip
    # The residents' messages, right after the alert is saved: fan_out is idempotent, so a
    # crash between the two is mended by publishing's retry path (the demo and bench call it).
    planned = fanout.fan_out(alert)
    messages.success(
        request, _("Published. %(count)s messages planned for residents.") % {"count": planned}
    )
    return redirect("alerts:console")


@require_POST
@requires(Cap.ALERTS_PUBLISH)
def alert_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(
        console.scoped(request, Alert.objects.select_related("agency")), pk=pk
    )
    if alert.cancelled_at is None:
        publish.cancel(alert, actor=request.user, request=request)
        messages.success(request, _("The alert is withdrawn."))
    return redirect("alerts:console")


@require_POST
@requires(Cap.ALERTS_PUBLISH)
def alert_pin(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(
        console.scoped(request, Alert.objects.select_related("agency")), pk=pk
    )
    pinned = request.POST.get("pinned") == "1"
    if alert.pinned != pinned:
        publish.set_pinned(alert, pinned, actor=request.user, request=request)
    return redirect("alerts:console")
