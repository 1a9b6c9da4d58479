"""Notification pages and webhooks.

- /dev/inbox: what the development channel "sent", shown as a phone would show it; only when
  the dev inbox is on (the demo, or DEBUG).
- /notify/sms/status/<id>/: Twilio's delivery status callbacks, checked by signature. Errors
  that say the recipient cannot be texted change consent: 21610 (they replied STOP) is an
  opt-out from the sending number, 30005/30006 (unknown handset, landline) mark the contact.
- /notify/sms/inbound/: texts people send us (STOP, START, HELP, replies), checked by
  signature and answered with TwiML (porchlight.notify.inbound).
"""

from __future__ import annotations

from itertools import groupby

from django.conf import settings
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from twilio.twiml.messaging_response import MessagingResponse

from porchlight.notify import consent, inbound
from porchlight.notify.channels.sms import classify
from porchlight.notify.models import Channel, DevMessage, Outbox, SentBy, State
from porchlight.notify.sent import record_sent
from porchlight.notify.signatures import from_twilio

# Messages per page of the development inbox.
PER_PAGE = 40


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    if not (settings.DEV_INBOX or settings.DEBUG):
        raise Http404
    # A page of the newest messages, grouped by the phone or mailbox that got them: a long demo
    # sends thousands, and one page of them all was too tall for any browser to scroll.
    everything = DevMessage.objects.select_related("outbox__call", "outbox__agency")
    page = Paginator(everything, PER_PAGE).get_page(request.GET.get("page"))
    messages = sorted(page.object_list, key=lambda m: (m.to, m.sent_at))
    phones = [(to, list(group)) for to, group in groupby(messages, key=lambda m: m.to)]
    # The phone with the newest message first.
    phones.sort(key=lambda pair: pair[1][-1].sent_at, reverse=True)
    context = {"phones": phones, "count": len(messages), "page": page}
    return render(request, "dev/inbox.html", context)


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
    if not from_twilio(request):
        return HttpResponse("invalid signature", status=403, content_type="text/plain")
    status = request.POST.get("MessageStatus", "")
    sid = request.POST.get("MessageSid", "")
    row = Outbox.objects.filter(pk=outbox_id).select_related("contact", "sender").first()
    if row is None or (row.provider_id and sid and row.provider_id != sid):
        return HttpResponse("unknown message", status=404, content_type="text/plain")
    new = _DELIVERY.get(status)
    # Never downgrade a settled row (callbacks can arrive late, twice and out of order).
    unsettled = Outbox.objects.filter(pk=row.pk).exclude(state__in=_SETTLED)
    if new == State.DELIVERED:
        # Also when the row is still `sending`: its worker died before recording the send,
        # and this callback is the first we hear of it.
        record_sent(
            unsettled, SentBy.CALLBACK, provider_id=sid, delivered_at=timezone.now(), claimed_by=""
        )
    elif new is not None:
        code = request.POST.get("ErrorCode", "")
        # One transaction, consent first: whoever sees the row failed also sees the opt-out or
        # the mark, and a crash between the two cannot keep one without the other (Twilio
        # does not send a callback again).
        with transaction.atomic():
            _consent_from_error(row, code.strip())
            unsettled.update(
                state=new,
                updated=timezone.now(),
                error_code=code[:16],
                reason=f"provider reported {status} ({code or 'no code'})",
            )
    elif status in ("sent", "queued", "accepted", "sending"):
        # The callback beat our own commit after the send (or the worker died before it):
        # the provider has it.
        record_sent(
            unsettled.filter(state=State.SENDING), SentBy.CALLBACK, provider_id=sid, claimed_by=""
        )
    return HttpResponse(status=204)


# The status-callback error that means the recipient replied STOP to the sending number.
OPTED_OUT = 21610


def _consent_from_error(row: Outbox, code: str) -> None:
    """What a failed delivery says about the recipient, recorded through consent.

    21610 is their STOP, which Twilio enforces per sending number: an opt-out from the row's
    sender. Codes the SMS error table says are the recipient's fault (an unknown handset, a
    landline) mark the contact so nothing more is tried. Both are idempotent, so a callback
    that arrives twice changes and logs nothing the second time.
    """
    if not code.isdigit():
        return
    number = int(code)
    if number == OPTED_OUT:
        consent.opt_out(
            Channel.SMS,
            row.contact.address_hash,
            consent.sender_key(Channel.SMS, row.sender),
            "status-callback",
            f"twilio {number} on outbox {row.pk}",
        )
        return
    _kind, reason, marks_contact = classify(number)
    if marks_contact:
        consent.mark(row.contact, reason, f"status-callback:{number}")


@csrf_exempt  # Twilio cannot send a CSRF token; the request signature authenticates it instead.
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """Twilio's incoming-message webhook: a keyword or a reply, answered with TwiML."""
    if not from_twilio(request):
        return HttpResponse("invalid signature", status=403, content_type="text/plain")
    form = request.POST
    missing = [name for name in ("MessageSid", "From") if not form.get(name, "").strip()]
    if not (form.get("To", "").strip() or form.get("MessagingServiceSid", "").strip()):
        missing.append("To")
    if missing:
        return HttpResponse(f"missing {', '.join(missing)}", status=400, content_type="text/plain")
    text = inbound.Text(
        sid=form["MessageSid"].strip()[:64],
        from_=form["From"].strip(),
        to=form.get("To", "").strip(),
        body=form.get("Body", ""),
        service_sid=form.get("MessagingServiceSid", "").strip(),
        opt_out_type=form.get("OptOutType", "").strip(),
    )
    answer = inbound.handle(text)
    twiml = MessagingResponse()
    if answer:
        twiml.message(answer)
    return HttpResponse(str(twiml), content_type="text/xml; charset=utf-8")
