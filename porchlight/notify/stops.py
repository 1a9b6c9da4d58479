"""Console: every message a call or a number was due, why any was not sent, and the stops.

Staff answer "why didn't this caller get a text?" here: each outbox row with its state and
reason. They can stop all messages for one call or one number (a Hold), and pause everything
non-urgent for the agency (DeliverySettings.paused_at). Pending rows a stop covers are
suppressed at once, with the reason, and the worker checks holds and the pause again at send
time for anything planned later. Every stop, lift and search by number is audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from porchlight.agencies import console
from porchlight.agencies.permissions import Cap, requires
from porchlight.agencies.staff import agency_scope
from porchlight.audit.log import record
from porchlight.calls.models import Call
from porchlight.notify import pii
from porchlight.notify.models import (
    DUE_STATES,
    Contact,
    DeliverySettings,
    Hold,
    Outbox,
    Priority,
    State,
)
from porchlight.notify.worker import HELD

SHOWN = 100


def _home(**query: str) -> str:
    url = reverse("notify:messages")
    query = {k: v for k, v in query.items() if v}
    return f"{url}?{urlencode(query)}" if query else url


def _rows(qs: Any) -> list[Outbox]:
    rows = list(qs.select_related("contact", "call").order_by("-created", "-id")[:SHOWN])
    for row in rows:
        row.masked_to = pii.mask(row.contact.address)  # type: ignore[attr-defined]
    return rows


def _held(request: HttpRequest) -> list[Outbox]:
    """Texts reconciliation holds: their worker died mid-send and the provider could not yet
    say whether it has them (worker.HELD). Never sent again on a guess; staff see them here
    with the provider's error and when they are asked about next."""
    rows = console.scoped(
        request, Outbox.objects.filter(state=State.SENDING, reason=HELD)
    ).select_related("agency", "call", "contact")
    held = list(rows.order_by("due_at", "id")[:SHOWN])
    for row in held:
        row.masked_to = pii.mask(row.contact.address)  # type: ignore[attr-defined]
    return held


def _contact_for_number(request: HttpRequest, number: str) -> list[Contact]:
    phone = pii.normalize_phone(number)
    if phone is None:
        return []
    return list(
        console.scoped(request, Contact.objects.all()).filter(
            channel="sms", address_hash=pii.lookup_hash(phone)
        )
    )


@require_GET
@requires(Cap.CONSOLE)
def messages_home(request: HttpRequest) -> HttpResponse:
    scope = agency_scope(request)
    incident = request.GET.get("incident", "").strip()[:40]
    number = request.GET.get("number", "").strip()[:32]
    context: dict[str, Any] = {"section": "messages", "incident": incident, "number": number}
    if scope is not None:
        context["delivery"] = DeliverySettings.for_agency(scope.pk)
    holds = console.scoped(request, Hold.objects.filter(lifted_at__isnull=True))
    context["holds"] = list(
        holds.select_related("call", "contact", "created_by").order_by("-created")[:50]
    )
    for hold in context["holds"]:
        hold.masked = pii.mask(hold.contact.address) if hold.contact else ""
    context["held"] = _held(request)
    if incident:
        calls = list(
            console.scoped(request, Call.objects.select_related("agency")).filter(
                incident_number=incident
            )
        )
        for call in calls:
            call.rows = _rows(Outbox.objects.filter(call=call))  # type: ignore[attr-defined]
            call.contacts = [  # type: ignore[attr-defined]
                (c, pii.mask(c.address))
                for c in Contact.objects.filter(pk__in=[call.caller_phone_id, call.caller_email_id])
            ]
            call.held = any(h.call_id == call.pk for h in context["holds"])  # type: ignore[attr-defined]
        context["calls"] = calls
    if number:
        contacts = _contact_for_number(request, number)
        # Looking a caller up by their number reveals that they called: a read of personal data.
        record(
            "contact.search",
            request=request,
            agency=scope,
            changes={"found": [c.pk for c in contacts]},
        )
        context["contacts"] = [
            (c, pii.mask(c.address), _rows(Outbox.objects.filter(contact=c))) for c in contacts
        ]
        context["number_valid"] = pii.normalize_phone(number) is not None
    return console.page(request, "console/messages.html", context)


def _suppress_pending(q: Q, reason: str) -> int:
    return Outbox.objects.filter(q, state__in=DUE_STATES).update(
        state="suppressed", reason=reason, updated=timezone.now()
    )


@require_POST
@requires(Cap.MESSAGES_OPERATE)
def hold_create(request: HttpRequest) -> HttpResponse:
    reason = request.POST.get("reason", "").strip()[:200]
    back = console.next_url(request, _home())
    if not reason:
        messages.error(request, _("Say why the messages are stopped; the reason is kept."))
        return redirect(back)
    call = contact = None
    if request.POST.get("call"):
        call = get_object_or_404(
            console.scoped(request, Call.objects.all()), pk=request.POST["call"]
        )
        agency_id = call.agency_id
    elif request.POST.get("contact"):
        contact = get_object_or_404(
            console.scoped(request, Contact.objects.all()), pk=request.POST["contact"]
        )
        agency_id = contact.agency_id
    else:
        messages.error(request, _("Choose a call or a number to stop."))
        return redirect(back)
    with transaction.atomic():
        hold = Hold.objects.create(
            agency_id=agency_id,
            call=call,
            contact=contact,
            reason=reason,
            created_by_id=request.user.pk,
        )
        target = Q(call=call) if call is not None else Q(contact=contact)
        stopped = _suppress_pending(target, "stopped by staff")
        record(
            "messages.stop",
            request=request,
            agency=hold.agency,
            target=hold,
            changes={
                "call": call.pk if call else None,
                "contact": contact.pk if contact else None,
                "reason": reason,
                "pending_suppressed": stopped,
            },
        )
    messages.success(
        request,
        _("Messages stopped. %(n)s pending message(s) will not be sent.") % {"n": stopped},
    )
    return redirect(back)


@require_POST
@requires(Cap.MESSAGES_OPERATE)
def hold_lift(request: HttpRequest, pk: int) -> HttpResponse:
    hold = get_object_or_404(console.scoped(request, Hold.objects.all()), pk=pk)
    with transaction.atomic():
        lifted = Hold.objects.filter(pk=hold.pk, lifted_at__isnull=True).update(
            lifted_at=timezone.now()
        )
        if lifted:
            record(
                "messages.resume",
                request=request,
                agency=hold.agency,
                target=hold,
                changes={"call": hold.call_id, "contact": hold.contact_id},
            )
    if lifted:
        messages.success(
            request, _("Messages resume from the next update. Stopped messages stay unsent.")
        )
    else:
        messages.info(request, _("These messages were already resumed."))
    return redirect(console.next_url(request, _home()))


@require_POST
@requires(Cap.MESSAGES_OPERATE)
def pause(request: HttpRequest) -> HttpResponse:
    scope = agency_scope(request)
    if scope is None:
        messages.error(request, _("Sign in as staff of an agency to pause its messages."))
        return redirect(_home())
    action = request.POST.get("action")
    reason = request.POST.get("reason", "").strip()[:200]
    with transaction.atomic():
        delivery, _created = DeliverySettings.objects.select_for_update().get_or_create(
            agency=scope
        )
        if action == "pause":
            if not reason:
                messages.error(request, _("Say why messages are paused; the reason is kept."))
                return redirect(_home())
            if delivery.paused_at is None:
                delivery.paused_at = timezone.now()
                delivery.paused_reason = reason
                delivery.save(update_fields=["paused_at", "paused_reason"])
                record(
                    "messages.pause",
                    request=request,
                    agency=scope,
                    target=delivery,
                    changes={"reason": reason, "spares": f"priority {Priority.URGENT.value}"},
                )
            messages.success(
                request,
                _("Non-urgent messages are paused. Call updates and urgent alerts still go."),
            )
        elif action == "resume":
            if delivery.paused_at is not None:
                delivery.paused_at = None
                delivery.paused_reason = ""
                delivery.save(update_fields=["paused_at", "paused_reason"])
                record("messages.unpause", request=request, agency=scope, target=delivery)
            messages.success(request, _("Non-urgent messages are going out again."))
        else:
            messages.error(request, _("Unknown action: choose pause or resume."))
    return redirect(_home())
