"""A victim's phone and email as notify Contacts: encrypted at rest, found by keyed hash, one
row per address per agency, so STOP, delivery marks and the PII purge work as for callers."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from porchlight.notify import pii
from porchlight.notify.models import Channel, Contact


def clean_phone(raw: str) -> str | None:
    return pii.normalize_phone(raw) if raw and raw.strip() else None


def clean_email(raw: str) -> str | None:
    email = (raw or "").strip().lower()
    if not email or "@" not in email or email.startswith("@") or email.endswith("@"):
        return None
    if len(email) > 254 or any(c.isspace() for c in email):
        return None
    return email


def contact(agency: Any, channel: str, address: str) -> Contact:
    """The agency's contact for a clean address (clean_phone / clean_email), made if new."""
    digest = pii.lookup_hash(address)
    found = Contact.objects.filter(agency=agency, channel=channel, address_hash=digest).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Contact.objects.create(
                agency=agency,
                channel=channel,
                address_hash=digest,
                address_enc=pii.encrypt(address),
            )
    except IntegrityError:
        return Contact.objects.get(agency=agency, channel=channel, address_hash=digest)


def phone_contact(agency: Any, raw: str) -> Contact | None:
    phone = clean_phone(raw)
    return contact(agency, Channel.SMS, phone) if phone else None


def email_contact(agency: Any, raw: str) -> Contact | None:
    email = clean_email(raw)
    return contact(agency, Channel.EMAIL, email) if email else None
