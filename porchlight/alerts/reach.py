"""A resident's ways to be reached (email, phone, browsers with push), as notify Contacts.

Addresses are stored as every contact is (encrypted, found by keyed hash: notify/pii.py); a
push contact's address is the browser's subscription JSON and its hash is of the endpoint, so
the same browser subscribing again updates its keys instead of adding a second device.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.utils import timezone

from porchlight.alerts.models import ResidentContact
from porchlight.community.models import Resident
from porchlight.notify import pii
from porchlight.notify.channels.push import endpoint_allowed
from porchlight.notify.models import Channel, Contact


class BadSubscription(ValueError):
    pass


def _contact(resident: Resident, channel: str, key: str, address: str) -> Contact:
    digest = pii.lookup_hash(key)
    contact, created = Contact.objects.get_or_create(
        agency=resident.agency, channel=channel, address_hash=digest,
        defaults={"address_enc": pii.encrypt(address)},
    )  # fmt: skip
    if not created and pii.decrypt(contact.address_enc) != address:
        # New keys for the same endpoint, or a purged contact given again.
        Contact.objects.filter(pk=contact.pk).update(
            address_enc=pii.encrypt(address), purged_at=None
        )
    return contact


def ensure_email(resident: Resident) -> ResidentContact | None:
    email = (resident.user.email or "").strip().lower()
    if not email:
        return None
    with transaction.atomic():
        contact = _contact(resident, Channel.EMAIL, email, email)
        link, _ = ResidentContact.objects.get_or_create(
            resident=resident, contact=contact, defaults={"channel": Channel.EMAIL}
        )
    return link


def set_phone(resident: Resident, raw: str) -> ResidentContact | None:
    """The resident's number for texts (replacing an earlier one); None when they cleared it.
    ValueError when it is not a phone number."""
    with transaction.atomic():
        ResidentContact.objects.filter(resident=resident, channel=Channel.SMS).delete()
        if not raw.strip():
            return None
        phone = pii.normalize_phone(raw)
        if phone is None:
            raise ValueError("not a phone number")
        contact = _contact(resident, Channel.SMS, phone, phone)
        link, _ = ResidentContact.objects.get_or_create(
            resident=resident, contact=contact, defaults={"channel": Channel.SMS}
        )
    return link


def phone_of(resident: Resident) -> str:
    link = (
        ResidentContact.objects.filter(resident=resident, channel=Channel.SMS)
        .select_related("contact")
        .first()
    )
    return (link.contact.address or "") if link else ""


def parse_subscription(data: Any) -> dict[str, Any]:
    """A browser's PushSubscription.toJSON(), checked: an https endpoint and its two keys."""
    if not isinstance(data, dict):
        raise BadSubscription("expected a JSON object")
    endpoint = data.get("endpoint")
    keys = data.get("keys")
    if not isinstance(endpoint, str) or not endpoint_allowed(endpoint):
        raise BadSubscription("the endpoint must be an https:// URL")
    if not isinstance(keys, dict):
        raise BadSubscription("the subscription has no keys")
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if not (isinstance(p256dh, str) and 80 <= len(p256dh) <= 100):
        raise BadSubscription("keys.p256dh is not a P-256 public key")
    if not (isinstance(auth, str) and 16 <= len(auth) <= 32):
        raise BadSubscription("keys.auth is not an authentication secret")
    return {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}


def subscribe(resident: Resident, data: Any, label: str = "") -> ResidentContact:
    info = parse_subscription(data)
    with transaction.atomic():
        contact = _contact(resident, Channel.PUSH, info["endpoint"], json.dumps(info))
        if contact.undeliverable:
            # Subscribed again after the push service said it was gone: a new chance.
            Contact.objects.filter(pk=contact.pk).update(undeliverable="", marked_at=None)
        link, created = ResidentContact.objects.get_or_create(
            resident=resident, contact=contact,
            defaults={"channel": Channel.PUSH, "label": label[:80], "created": timezone.now()},
        )  # fmt: skip
    return link


def unsubscribe(resident: Resident, endpoint: str) -> int:
    digest = pii.lookup_hash(endpoint)
    deleted, _ = ResidentContact.objects.filter(
        resident=resident, channel=Channel.PUSH, contact__address_hash=digest
    ).delete()
    return deleted


def devices(resident: Resident) -> list[ResidentContact]:
    return list(
        ResidentContact.objects.filter(
            resident=resident, channel=Channel.PUSH, contact__undeliverable=""
        ).order_by("created")
    )
