"""porchlight publishmap: publish due calls and offenses to the public map now."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from porchlight.agencies.models import Agency
from porchlight.publicmap import publish


class Command(BaseCommand):
    help = (
        "Publish what is due to the public map (the worker does this every minute). "
        "--days backfills older history, e.g. after an import."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--agency", help="one agency's slug (default: every agency)")
        parser.add_argument(
            "--days", type=float, help="look back this many days (default: the usual 2-day window)"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        agencies = Agency.objects.order_by("pk")
        if opts["agency"]:
            agencies = agencies.filter(slug=opts["agency"])
            if not agencies:
                raise CommandError(f"no agency {opts['agency']!r}")
        days = opts["days"]
        if days is not None and not 0 < days <= 3660:
            raise CommandError("--days must be more than 0 and at most 3660")
        for agency in agencies:
            lookback = timedelta(days=days) if days else None
            result = publish.run(agency, timezone.now(), lookback=lookback)
            self.stdout.write(
                f"{agency.slug}: {result.published} published, {result.withheld} withheld, "
                f"{result.replaced} replaced, {result.unpublished} unpublished"
            )
