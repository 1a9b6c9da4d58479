"""The demo's public map: the seeded call history published as the worker would publish it,
with the categories a demo agency's staff would choose for the codes no word suggests."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from porchlight.agencies.models import Agency
from porchlight.publicmap import cad, publish
from porchlight.publicmap.models import CategoryMapping

# What staff chose for the demo's codes that start uncategorised (the rest are suggested from
# their descriptions). 911 hang-ups stay off the map: they are rarely anything at all.
STAFF_CHOICES = {"WELF": "service", "PARK": "traffic"}


def seed(agency: Agency, days: float = 8, now: datetime | None = None) -> int:
    """Publish the agency's call history of the last `days` days. Idempotent."""
    now = now or timezone.now()
    result = publish.run(agency, now, lookback=timedelta(days=days))
    for code, category in STAFF_CHOICES.items():
        CategoryMapping.objects.filter(
            agency=agency, source=cad.SOURCE, code=code, category=""
        ).update(category=category)
    return result.published
