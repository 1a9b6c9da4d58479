"""The one way anything writes to the audit log."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from porchlight import proxy
from porchlight.audit.models import AuditEntry


def client_ip(request: HttpRequest) -> str | None:
    # The same reading as every rate limit: X-Forwarded-For only from trusted proxies
    # (porchlight/proxy.py); a forged header from anyone else is ignored.
    return proxy.client_ip(request) or None


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    actor: Any = None,
    actor_label: str = "",
    agency: Any = None,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry: who (a user, or a named system component), did what, to what, from where.

    `changes` holds ids and field values, never contact PII.
    """
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        if request.user.is_authenticated:
            actor = request.user
    if agency is None and actor is not None:
        staff = getattr(actor, "staff", None)
        agency = staff.agency if staff is not None else None
    entry = AuditEntry(
        actor=actor,
        actor_label=actor_label or (actor.get_username() if actor is not None else "system"),
        agency=agency,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        changes=changes or {},
    )
    if request is not None:
        entry.ip = client_ip(request)
        entry.user_agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    entry.save(force_insert=True)
    return entry


# Actions that are reads of personal data. `pii.viewed` is the general one; the others predate
# it and name their page. The audit page's "personal data only" filter reads this set.
PII_ACTIONS = frozenset(
    {
        "pii.viewed",
        "quarantine.view",
        "notify.inbound.read",
        "contact.search",
        "feedback.follow_up.view",
        "report.viewed",
    }
)


def pii_viewed(
    request: HttpRequest, *, what: str, target: models.Model | None = None, agency: Any = None
) -> AuditEntry:
    """A staff member saw someone's personal data (`what` says which, in plain words)."""
    return record(
        "pii.viewed", request=request, agency=agency, target=target, changes={"what": what}
    )
