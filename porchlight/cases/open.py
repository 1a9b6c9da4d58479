"""Opening a case: the way in for reports filed online or through Open311 (porchlight.reports)
and for cases a detective starts in an agency without an RMS feed.

`open_case` numbers the case (the agency's sequence, numbering.py) unless the caller has a
number, links the CAD incidents, records "report taken" in the timeline, makes the reporter a
victim who gets updates, and plans the "report taken, with the case number" update through
the notification engine, all in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from porchlight.cases import updates
from porchlight.cases.contacts import email_contact, phone_contact
from porchlight.cases.defaults import case_settings
from porchlight.cases.models import Case, CaseEvent, CaseIncident, EventKind, Term, Victim
from porchlight.cases.numbering import next_number


class CaseNumberTaken(ValueError):
    """The agency already has a case with this number."""


def language_of(agency: Any, language: str) -> str:
    """The agency language closest to the one asked for; the agency's default otherwise."""
    code = (language or "").strip().lower()
    for candidate in (code, code.split("-")[0]):
        if candidate and candidate in agency.languages:
            return candidate
    return str(agency.default_language)


def open_case(
    agency: Any,
    *,
    source: str,
    number: str | None = None,
    offense_code: str,
    offense: str,
    occurred_at: datetime | None,
    address: str,
    lat: float | None,
    lon: float | None,
    reporter_phone: str = "",
    reporter_email: str = "",
    language: str = "en",
    incident_numbers: Iterable[str] = (),
    domestic_violence: bool = False,
    notify: bool = True,
) -> Case:
    """Open a case and plan the reporter's "report taken, with the case number" update.

    `source` names where it came from ("online", "open311", "console", "rms"). Without
    `number`, the case gets the agency's next number (e.g. C26-000123); with one that the
    agency already has, CaseNumberTaken. A phone or email that is not usable is ignored, as in
    CAD intake. With `notify` False the update is not planned (an import of old cases).
    """
    settings = case_settings(agency)
    now = timezone.now()
    with transaction.atomic():
        case = Case(
            agency=agency,
            number=(number or "").strip()[:40] or next_number(agency, settings.number_prefix),
            source=source[:60],
            offense_code=offense_code.strip()[:8],
            offense=offense.strip()[:200],
            domestic_violence=domestic_violence,
            occurred_at=occurred_at,
            address=address.strip()[:300],
            lat=lat,
            lon=lon,
            term=Term.OPEN,
            created=now,
            updated=now,
        )
        try:
            with transaction.atomic():
                case.save(force_insert=True)
        except IntegrityError as exc:
            raise CaseNumberTaken(f"case {case.number} already exists") from exc
        incidents = {n.strip()[:40] for n in incident_numbers if n and n.strip()}
        CaseIncident.objects.bulk_create(
            [CaseIncident(case=case, agency=agency, incident_number=n) for n in sorted(incidents)]
        )
        CaseEvent.objects.create(
            case=case, kind=EventKind.OPENED, at=now, public=True, source=source[:60]
        )
        phone = phone_contact(agency, reporter_phone)
        email = email_contact(agency, reporter_email)
        if phone is not None or email is not None:
            reporter = Victim.objects.create(
                case=case,
                phone=phone,
                email=email,
                language=language_of(agency, language),
                reporter=True,
                opted_in=True,
            )
            if notify:
                updates.opened(case, [reporter])
    return case
