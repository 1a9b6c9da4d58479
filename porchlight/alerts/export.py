"""The alerts part of a resident's data export (community/account.py calls `for_resident`).

What the account holds here: each place's alert preference, the resident's own alert
addresses (an email, a phone, a push subscription: the resident's own data, so shown in full
to them and to no one else), the alerts they were sent and how, and their Neighborhood Watch
memberships with the messages their groups were sent."""

from __future__ import annotations

from typing import Any

from porchlight.alerts.models import (
    Delivery,
    Preference,
    ResidentContact,
    WatchMember,
    WatchMessage,
)
from porchlight.community.models import Resident


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
