"""Notification pages and webhooks.

- /dev/inbox: what the development channel "sent", shown as a phone would show it; only when
  the dev inbox is on (the demo, or DEBUG).
- /notify/sms/status/<id>/: Twilio's delivery status callbacks, checked by signature.
"""

from __future__ import annotations

from itertools import groupby

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from porchlight.notify.models import DevMessage, Outbox, State
from porchlight.notify.signatures import valid_signature

SHOWN = 300


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    if not (settings.DEV_INBOX or settings.DEBUG):
        raise Http404
    messages = list(DevMessage.objects.select_related("outbox__call", "outbox__agency")[:SHOWN])
    messages.sort(key=lambda m: (m.to, m.sent_at))
    phones = [(to, list(group)) for to, group in groupby(messages, key=lambda m: m.to)]
    # The phone with the newest message first.
    phones.sort(key=lambda pair: pair[1][-1].sent_at, reverse=True)
    return render(request, "dev/inbox.html", {"phones": phones, "count": len(messages)})


# Twilio's words for a message's progress, and what each means for the outbox row.
_DELIVERY = {
    "delivered": State.DELIVERED,
    "undelivered": State.FAILED,
    "failed": State.FAILED,
}
# A callback can arrive late or twice; these states never move backwards.
_SETTLED = (State.DELIVERED, State.FAILED, State.SUPPRESSED, State.DEAD)


@csrf_exempt  # Twilio cannot send a CSRF token; the request signature authenticates it instead.
@require_POST
def sms_status(request: HttpRequest, outbox_id: int) -> HttpResponse:
    """Twilio's status callback for one outbox row: queued → sent → delivered or undelivered."""
    url = f"{settings.SITE_URL}{request.get_full_path()}"
    if not valid_signature(url, request.POST, request.headers.get("X-Twilio-Signature", "")):
        return HttpResponse("invalid signature", status=403, content_type="text/plain")
    status = request.POST.get("MessageStatus", "")
    sid = request.POST.get("MessageSid", "")
    row = Outbox.objects.filter(pk=outbox_id).first()
    if row is None or (row.provider_id and sid and row.provider_id != sid):
        return HttpResponse("unknown message", status=404, content_type="text/plain")
    update: dict[str, object] = {"updated": timezone.now()}
    new = _DELIVERY.get(status)
    if new is not None:
        update["state"] = new
        if new == State.DELIVERED:
            update["delivered_at"] = timezone.now()
        else:
            code = request.POST.get("ErrorCode", "")
            update |= {
                "error_code": code[:16],
                "reason": f"provider reported {status} ({code or 'no code'})",
            }
    elif status in ("sent", "queued", "accepted", "sending") and row.state == State.SENDING:
        # The callback beat our own commit after the send: the provider has it.
        update |= {"state": State.SENT, "provider_id": sid}
    else:
        return HttpResponse(status=204)
    # Never downgrade a settled row (callbacks can arrive out of order).
    Outbox.objects.filter(pk=row.pk).exclude(state__in=_SETTLED).update(**update)
    return HttpResponse(status=204)
