"""Report-copy requests: the public form makes one for records staff; each status change they
make is audited and tells the requester, through the notification engine, in their language."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone, translation

from porchlight.audit.log import record
from porchlight.cases.contacts import email_contact, phone_contact
from porchlight.cases.defaults import case_settings
from porchlight.cases.models import Case, CopyRequest
from porchlight.cases.open import language_of
from porchlight.notify import plan
from porchlight.notify.models import Trigger


def request_copy(
    agency: Any, case_number: str, phone: str, email: str, language: str
) -> CopyRequest:
    number = case_number.strip()[:40]
    case = Case.objects.filter(agency=agency, number__iexact=number).first()
    return CopyRequest.objects.create(
        agency=agency,
        case=case,
        case_number=case.number if case else number,
        phone=phone_contact(agency, phone),
        email=email_contact(agency, email),
        language=language_of(agency, language),
    )


def set_status(copy: CopyRequest, status: str, *, request: Any = None) -> bool:
    """Records staff move a request on; the requester is told. False when nothing changed."""
    if status not in CopyRequest.Status.values:
        raise ValueError(f"unknown status {status!r}")
    with transaction.atomic():
        before = copy.status
        if before == status:
            return False
        copy.status, copy.updated = status, timezone.now()
        copy.save(update_fields=["status", "updated"])
        record("case.copy_status", request=request, agency=copy.agency, target=copy,
               changes={"status": [before, status]})  # fmt: skip
        case_settings(copy.agency)
        with translation.override(copy.language):
            words = str(CopyRequest.Status(status).label)
        for contact in (copy.phone, copy.email):
            if contact is not None:
                plan.message(
                    copy.agency, contact, Trigger.COPY_REQUEST,
                    dedupe=f"copy:{copy.pk}:{status}",
                    context={"case_number": copy.case_number, "copy_status": words},
                    language=copy.language,
                )  # fmt: skip
    return True
