"""Consent: who may be messaged from which sender, and the log of every change.

The one place that writes OptOut, ConsentChange and a contact's undeliverable mark, so the log
is complete by construction. Callers: the inbound SMS webhook (STOP/START), status callbacks
and send errors (21610, landlines, invalid numbers), email unsubscribes and bounces.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from porchlight.notify.models import Channel as ChannelKind
from porchlight.notify.models import ConsentChange, Contact, OptOut, Sender


def opted_out(channel: str, address_hash: str, sender: str) -> bool:
    return OptOut.objects.filter(channel=channel, address_hash=address_hash, sender=sender).exists()


def opt_out(channel: str, address_hash: str, sender: str, source: str, detail: str = "") -> bool:
    """Record an opt-out. True when it is new (a repeated STOP is logged once)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                OptOut.objects.create(
                    channel=channel, address_hash=address_hash, sender=sender, source=source
                )
        except IntegrityError:
            return False
        _log(channel, address_hash, sender, ConsentChange.Action.OPT_OUT, source, detail)
    return True


def opt_in(channel: str, address_hash: str, sender: str, source: str, detail: str = "") -> bool:
    """Lift an opt-out. True when there was one to lift."""
    with transaction.atomic():
        lifted, _ = OptOut.objects.filter(
            channel=channel, address_hash=address_hash, sender=sender
        ).delete()
        if lifted:
            _log(channel, address_hash, sender, ConsentChange.Action.OPT_IN, source, detail)
    return bool(lifted)


def mark(contact: Contact, reason: str, source: str) -> None:
    """Mark an address undeliverable (invalid, landline, hard bounce, complaint): no more
    messages go to it, from any sender. Logged once per new reason."""
    if contact.undeliverable == reason:
        return
    with transaction.atomic():
        Contact.objects.filter(pk=contact.pk).update(undeliverable=reason, marked_at=timezone.now())
        contact.undeliverable = reason
        _log(contact.channel, contact.address_hash, "", ConsentChange.Action.MARKED, source, reason)


def _log(
    channel: str, address_hash: str, sender: str, action: str, source: str, detail: str
) -> None:
    ConsentChange.objects.create(
        channel=channel,
        address_hash=address_hash,
        sender=sender,
        action=action,
        source=source[:40],
        detail=detail[:200],
    )


def sender_key(channel: str, sender: Sender | None) -> str:
    """What an opt-out is recorded against: the number (or messaging service) a text came
    from, or the From address of an email."""
    if channel == ChannelKind.EMAIL:
        return settings.DEFAULT_FROM_EMAIL.lower()
    if sender is not None and sender.address:
        return sender.address
    return settings.TWILIO_MESSAGING_SERVICE_SID or settings.TWILIO_FROM_NUMBER or "dev"
