"""Bounces, complaints and delivery reports from email providers, through django-anymail.

Anymail receives each provider's webhook at /anymail/<provider>/tracking/ (checking the basic
auth secret, ANYMAIL_WEBHOOK_SECRET), turns the provider's payload into a normalised
AnymailTrackingEvent, and sends its `tracking` signal: that signal is the library's interface,
and `on_tracking` is connected to it in NotifyConfig.ready().

What each event does:
- delivered: the outbox row moves to delivered;
- hard bounce, or the provider refusing an invalid or suppressed address: every email contact
  with that address is marked undeliverable (consent.mark, source "bounce") and the row fails;
- spam complaint: the contacts are marked "complaint" and the address is opted out of our
  From address (the row stays as it was: the message was delivered);
- unsubscribe through the provider's own link: an opt-out;
- soft bounces and delays: only logged (the provider retries them itself);
- opens and clicks: ignored (we do not track people).

The row is found by the provider's message id (our provider_id), or by the outbox id we send
in the message's metadata, which covers a crash between the provider accepting the message
and our commit. Webhooks are retried by providers, so every step is idempotent.
"""

from __future__ import annotations

import logging
from typing import Any

from anymail import urls as anymail_urls
from anymail.exceptions import AnymailWebhookValidationFailure
from anymail.signals import AnymailTrackingEvent, EventType, RejectReason
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern
from django.utils import timezone

from porchlight.notify import consent, pii
from porchlight.notify.channels.email import provider_key
from porchlight.notify.models import Channel, Contact, Outbox, SentBy, State
from porchlight.notify.sent import record_sent

log = logging.getLogger(__name__)

# Postmark reports soft bounces as "bounced" (it may send a hard bounce later); its bounce
# Type says which. Other providers report them as "deferred".
_SOFT_TYPES = {"SoftBounce", "Transient", "DnsError", "AutoResponder", "OpenRelayTest"}
# A failure report may follow a delivery report (a late bounce); settled otherwise.
_MAY_FAIL = (State.SENDING, State.SENT, State.DELIVERED)


def on_tracking(sender: Any, event: AnymailTrackingEvent, esp_name: str, **kwargs: Any) -> None:
    kind = event.event_type
    row = _row(event)
    address = (event.recipient or "").strip().lower()
    address_hash = (
        pii.lookup_hash(address) if address else (row.contact.address_hash if row else "")
    )
    where = f"{esp_name} {kind} for outbox {row.pk if row else '?'}"
    if kind == EventType.DELIVERED:
        if row is not None:
            _settle(
                row, State.DELIVERED, _message_id(event),
                delivered_at=event.timestamp or timezone.now(),
            )  # fmt: skip
    elif kind == EventType.BOUNCED and not _soft(event):
        _mark(address_hash, "hard_bounce", "bounce")
        _fail(row, event, "bounce", "hard bounce reported by the email provider")
    elif kind == EventType.REJECTED:
        reason = {
            RejectReason.INVALID: "invalid_address",
            RejectReason.BOUNCED: "hard_bounce",
        }.get(event.reject_reason or "")
        if reason:
            _mark(address_hash, reason, "bounce")
        _fail(
            row,
            event,
            "rejected",
            f"refused by the email provider ({event.reject_reason or 'no reason given'})",
        )
    elif kind == EventType.FAILED:
        _fail(row, event, "failed", "the email provider could not send it")
    elif kind == EventType.COMPLAINED:
        _mark(address_hash, "complaint", "complaint")
        if address_hash:
            consent.opt_out(
                Channel.EMAIL, address_hash, consent.sender_key(Channel.EMAIL, None),
                "complaint", detail=f"{esp_name} spam complaint",
            )  # fmt: skip
    elif kind == EventType.UNSUBSCRIBED:
        if address_hash:
            consent.opt_out(
                Channel.EMAIL, address_hash, consent.sender_key(Channel.EMAIL, None),
                f"{esp_name.lower()}:unsubscribe"[:40],
            )  # fmt: skip
    elif kind in (EventType.BOUNCED, EventType.DEFERRED):
        # Soft: the provider keeps trying; only a hard bounce says the address is gone.
        log.info("%s: soft bounce or delay (%s)", where, event.description or "no description")
        return
    else:
        return  # queued, sent, opened, clicked, …: nothing to record
    log.info("%s recorded", where)


def _row(event: AnymailTrackingEvent) -> Outbox | None:
    rows = Outbox.objects.select_related("contact").filter(channel=Channel.EMAIL)
    message_id = _message_id(event)
    if message_id:
        # The exclude is what lets SQLite read the partial outbox_provider_id_set index
        # (it matches the index's condition term for term; PostgreSQL proves it either way).
        row = rows.filter(provider_id=message_id).exclude(provider_id="").first()
        if row is not None:
            return row
    outbox_id = str((event.metadata or {}).get("outbox_id", ""))
    if not outbox_id.isdigit():
        return None
    # By our id only when the row never got its provider id (the crash case), and only for
    # the same recipient: another deployment sharing the provider account has its own rows
    # with the same ids.
    row = rows.filter(pk=int(outbox_id), provider_id="").first()
    recipient = (event.recipient or "").strip().lower()
    if row is None or (recipient and pii.lookup_hash(recipient) != row.contact.address_hash):
        return None
    return row


def _message_id(event: AnymailTrackingEvent) -> str:
    # Providers that keep our Message-ID header (Mailgun, SMTP relays) may report it with or
    # without angle brackets: compared as the channel stored it.
    return provider_key(str(event.message_id or ""))


def _soft(event: AnymailTrackingEvent) -> bool:
    esp_event = event.esp_event if isinstance(event.esp_event, dict) else {}
    return esp_event.get("Type") in _SOFT_TYPES


def _mark(address_hash: str, reason: str, source: str) -> None:
    """Mark every email contact with this address (one per agency), not just the row's."""
    if not address_hash:
        return
    for contact in Contact.objects.filter(channel=Channel.EMAIL, address_hash=address_hash):
        consent.mark(contact, reason, source)


def _fail(row: Outbox | None, event: AnymailTrackingEvent, code: str, reason: str) -> None:
    if row is not None:
        _settle(row, State.FAILED, _message_id(event), error_code=code, reason=reason[:200])


def _settle(row: Outbox, state: str, message_id: str, **fields: Any) -> None:
    update: dict[str, Any] = dict(fields)
    if row.state == State.SENDING:
        # The provider has it, so the worker that sent it has not committed (it may have
        # died): this settles the row, and neither that worker nor reconciliation changes it.
        update["claimed_by"] = ""
    if state == State.DELIVERED:
        rows = Outbox.objects.filter(pk=row.pk, state__in=(State.SENDING, State.SENT))
        record_sent(
            rows, SentBy.WEBHOOK, provider_id=message_id,
            delivered_at=update.pop("delivered_at", None) or timezone.now(), **update,
        )  # fmt: skip
        return
    if row.state == State.SENDING:
        update["sent_at"] = row.sent_at or timezone.now()
    if not row.provider_id and message_id:
        update["provider_id"] = message_id
    Outbox.objects.filter(pk=row.pk, state__in=_MAY_FAIL).update(
        state=state, updated=timezone.now(), **update
    )


# --- The webhook URLs ------------------------------------------------------------------------


class _Unreadable(Exception):
    pass


class _Guarded:
    """Mixed into anymail's webhook views: a request it cannot use gets a 400 with the reason.

    Anymail answers bad auth with a bare 400 and lets a payload it cannot parse (not JSON, a
    field missing) raise, which is a 500 that providers retry for days. Errors in our own
    handling still raise: a 500 then is right, the provider retries when we are back.
    """

    def parse_events(self, request: HttpRequest) -> Any:
        try:
            return super().parse_events(request)  # type: ignore[misc]
        except AnymailWebhookValidationFailure:
            raise
        except Exception as exc:  # noqa: BLE001 - any parse failure is the payload's fault
            raise _Unreadable(f"{type(exc).__name__}: {exc}"[:200]) from exc

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().post(request, *args, **kwargs)  # type: ignore[misc, no-any-return]
        except AnymailWebhookValidationFailure:
            return _bad_request("missing or wrong basic auth (ANYMAIL_WEBHOOK_SECRET)")
        except _Unreadable as exc:
            return _bad_request(f"unreadable payload: {exc}")


def _bad_request(reason: str) -> HttpResponse:
    return HttpResponse(reason, status=400, content_type="text/plain")


def tracking_urls() -> list[URLPattern]:
    """Anymail's tracking webhook URLs (/<provider>/tracking/), each view guarded as above.
    Inbound-mail webhooks are left out: nothing here reads mail sent to us."""
    patterns = []
    for pattern in anymail_urls.urlpatterns:
        view_class = getattr(pattern.callback, "view_class", None)
        if view_class is None or not str(pattern.name).endswith("_tracking_webhook"):
            continue
        guarded: Any = type(view_class.__name__, (_Guarded, view_class), {})
        patterns.append(URLPattern(pattern.pattern, guarded.as_view(), name=pattern.name))
    return patterns
