"""Litigation holds: placed and released by records staff, with a reason, audited."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from porchlight.agencies.models import Agency
from porchlight.audit.log import record
from porchlight.calls.models import Call
from porchlight.cases.models import Case
from porchlight.notify.models import Contact
from porchlight.operations.models import LegalHold


def place(
    agency: Agency,
    *,
    reason: str,
    request: HttpRequest,
    call: Call | None = None,
    case: Case | None = None,
    contact: Contact | None = None,
) -> LegalHold:
    hold = LegalHold.objects.create(
        agency=agency,
        call=call,
        case=case,
        contact=contact,
        reason=reason,
        created_by=request.user if request.user.is_authenticated else None,
    )
    record(
        "operations.hold.place",
        request=request,
        agency=agency,
        target=hold,
        # Ids only: a contact hold never writes the number into the log.
        changes={
            "call": call.pk if call else None,
            "case": case.pk if case else None,
            "contact": contact.pk if contact else None,
            "reason": reason,
        },
    )
    return hold


def release(hold: LegalHold, *, reason: str, request: HttpRequest) -> bool:
    """Release an active hold. False when it was released already."""
    released = LegalHold.objects.filter(pk=hold.pk, released_at__isnull=True).update(
        released_at=timezone.now(),
        released_by=request.user if request.user.is_authenticated else None,
        release_reason=reason,
    )
    if released:
        record(
            "operations.hold.release",
            request=request,
            agency=hold.agency,
            target=hold,
            changes={"reason": reason},
        )
    return bool(released)
