"""`porchlight insights rebuild [--agency SLUG]`: rebuild the dashboards' call rollups.

The worker keeps them current from the event log; rebuild after an `import --undo` (deleted
calls leave no event to follow), a restored backup, or to fill them for existing history.
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from porchlight.agencies.models import Agency
from porchlight.insights import rollups


class Command(BaseCommand):
    help = "Dashboards: rebuild the call rollups from the calls."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        again = sub.add_parser("rebuild", help="Rebuild every day of the rollups from the calls.")
        again.add_argument("--agency", help="one agency's short name (default: every agency)")

    def handle(self, *args: Any, **options: Any) -> None:
        agencies = Agency.objects.order_by("slug")
        if options["agency"]:
            agencies = agencies.filter(slug=options["agency"])
            if not agencies.exists():
                raise CommandError(f"no agency {options['agency']!r}")
        for agency in agencies:
            started = time.perf_counter()
            rows = rollups.rebuild(agency)
            self.stdout.write(
                f"{agency.slug}: {rows} rollup rows in {time.perf_counter() - started:.1f} s"
            )
