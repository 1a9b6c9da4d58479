"""Filing an online report: the one way in, for the web form and for Open311 alike.

`file_report` opens the case through `cases.open.open_case` (which numbers it, makes the reporter
a contact of the case and plans the "report taken, with the case number" update, so the reporter
then gets the same updates as a caller), stores the photos, and keeps the report's own details,
all in one transaction: a report without its case, or a case without its report, cannot be left.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from porchlight.agencies.models import ApiKey
from porchlight.audit.log import record
from porchlight.cases.open import open_case
from porchlight.feedback import invite as feedback
from porchlight.media import storage
from porchlight.media.uploads import Accepted
from porchlight.reports.location import Place
from porchlight.reports.models import Category, Report, Source


def new_token() -> str:
    return secrets.token_urlsafe(18)  # 24 characters, 144 bits


@transaction.atomic
def file_report(
    category: Category,
    *,
    source: Source,
    description: str,
    answers: Mapping[str, Any],
    place: Place | None,
    occurred_at: datetime | None = None,
    reporter_phone: str = "",
    reporter_email: str = "",
    language: str = "en",
    photos: Sequence[Accepted] = (),
    media_url: str = "",
    api_key: ApiKey | None = None,
) -> Report:
    """File a report in `category` (already checked by the caller: the form or Open311) and open
    its case. Returns the saved Report; `report.case.number` is what the reporter is told."""
    agency = category.agency
    now = timezone.now()
    case = open_case(
        agency,
        source=source.value,
        offense_code=category.offense_code,
        offense=category.offense,
        occurred_at=occurred_at,
        address=place.address if place else "",
        lat=place.lat if place else None,
        lon=place.lon if place else None,
        reporter_phone=reporter_phone,
        reporter_email=reporter_email,
        language=language,
    )
    report = Report.objects.create(
        agency=agency,
        category=category,
        case=case,
        source=source,
        token=new_token(),
        description=description.strip(),
        answers=dict(answers),
        address=place.address if place else "",
        lat=place.lat if place else None,
        lon=place.lon if place else None,
        h3=place.h3 if place else None,
        language=language,
        media_url=media_url,
        api_key=api_key,
        filed_at=now,
    )
    if photos:
        report.photos.set([storage.keep(photo) for photo in photos])
    record(
        "report.filed",
        actor_label=f"open311:{api_key.prefix}" if api_key else "online form",
        agency=agency,
        target=report,
        changes={"case": case.number, "category": category.code, "photos": len(photos)},
    )
    feedback.after_online_report(report)  # the survey invitation, if the agency has one
    return report
