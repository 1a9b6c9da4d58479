"""The alerts part of a resident's own data: the export (community/account.py calls
`for_resident`) and what deleting the account does here (`forget`).

What the account holds here: each place's alert preference, the resident's own alert
addresses (an email, a phone, a push subscription: the resident's own data, so shown in full
to them and to no one else), the alerts they were sent and how, and their Neighborhood Watch
memberships with the messages their groups were sent."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from porchlight.alerts.models import (
    Delivery,
    Preference,
    ResidentContact,
    WatchMember,
    WatchMessage,
)
from porchlight.community.models import Resident
from porchlight.notify.models import Contact, Outbox, State, Trigger


def _when(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def preferences(resident: Resident) -> dict[int, dict[str, Any]]:
    """Each place's preference, by place id (places without one use the defaults)."""
    return {
        pref.place_id: {
            "mode": pref.mode,
            "email": pref.email,
            "push": pref.push,
            "sms": pref.sms,
            "daily_cap": pref.daily_cap,
            "updated": _when(pref.updated),
        }
        for pref in Preference.objects.filter(place__resident=resident)
    }


def for_resident(resident: Resident) -> dict[str, Any]:
    groups = list(
        WatchMember.objects.filter(resident=resident).select_related("group").order_by("pk")
    )
    return {
        "alert_addresses": [
            {
                "channel": rc.channel,
                "address": rc.contact.address,
                "label": rc.label,
                "created": _when(rc.created),
            }
            for rc in ResidentContact.objects.filter(resident=resident)
            .select_related("contact")
            .order_by("pk")
        ],
        "alerts_received": [
            {
                "title": d.alert.title,
                "severity": d.alert.severity,
                "published": _when(d.alert.published_at),
                "how": d.how,
                "channels": d.channels,
                "created": _when(d.created),
                "digested": _when(d.digested_at),
            }
            for d in Delivery.objects.filter(resident=resident)
            .select_related("alert")
            .order_by("pk")
        ],
        "watch_groups": [
            {
                "group": m.group.name,
                "role": m.role,
                "joined": _when(m.joined),
                "messages": [
                    {"title": msg.title, "body": msg.body, "created": _when(msg.created)}
                    for msg in WatchMessage.objects.filter(
                        group=m.group, created__gte=m.joined
                    ).order_by("pk")
                ],
            }
            for m in groups
        ],
    }


COMMUNITY_TRIGGERS = (Trigger.ALERT_URGENT, Trigger.ALERT, Trigger.DIGEST)
ACCOUNT_DELETED = "resident account deleted"


def forget(resident: Resident) -> dict[str, int]:
    """Before a resident's account is deleted (community/account.py, in its transaction): the
    alerts waiting for them are suppressed with the reason, and their addresses (encrypted
    notify Contacts) are purged unless something else still uses the same address (a caller's
    or a victim's contact for the same phone, another resident's link): the check asks every
    model that points at a Contact, so a new one is covered without a change here."""
    links = list(
        ResidentContact.objects.filter(resident=resident).values_list("contact_id", flat=True)
    )
    if not links:
        return {"suppressed": 0, "purged": 0}
    suppressed = Outbox.objects.filter(
        contact_id__in=links,
        trigger__in=COMMUNITY_TRIGGERS,
        state__in=[State.PLANNED, State.SCHEDULED],
    ).update(state=State.SUPPRESSED, reason=ACCOUNT_DELETED, updated=timezone.now())
    purged = 0
    for contact in Contact.objects.filter(pk__in=links, address_enc__isnull=False):
        if not _used_elsewhere(contact, resident):
            contact.purge()
            purged += 1
    return {"suppressed": suppressed, "purged": purged}


def _used_elsewhere(contact: Contact, resident: Resident) -> bool:
    for relation in Contact._meta.related_objects:
        model = relation.related_model
        rows = model._default_manager.filter(**{relation.field.name: contact})
        if model is ResidentContact:
            rows = rows.exclude(resident=resident)
        elif model is Outbox:
            rows = rows.exclude(trigger__in=COMMUNITY_TRIGGERS)
        if rows.exists():
            return True
    return False
