"""Case numbers Porchlight gives (online reports, console): the agency's prefix, the year and a
sequence, e.g. C26-000123. The sequence is one row per agency and year, bumped under a row
lock, so two reports filed at once never get the same number."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from porchlight.cases.models import Case, CaseSequence


def next_number(agency: Any, prefix: str) -> str:
    year = timezone.now().astimezone(agency.tz).year
    with transaction.atomic():
        while True:
            sequence, _ = CaseSequence.objects.select_for_update().get_or_create(
                agency=agency, year=year
            )
            CaseSequence.objects.filter(pk=sequence.pk).update(last=F("last") + 1)
            sequence.refresh_from_db(fields=["last"])
            number = f"{prefix}{year % 100:02d}-{sequence.last:06d}"
            # The RMS numbers its own cases; should one of its numbers look like ours, skip it.
            if not Case.objects.filter(agency=agency, number=number).exists():
                return number
