"""`porchlight geo import`: load an agency's address table (see porchlight/geo/importer.py)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from porchlight.agencies.models import Agency
from porchlight.audit.log import record
from porchlight.geo import importer


class Command(BaseCommand):
    help = "Address data for geocoding. `geo import FILE…` loads CSV or OpenAddresses files."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser(
            "import",
            help="Load addresses from CSV or OpenAddresses (CSV or GeoJSON lines, .gz allowed).",
        )
        load.add_argument("files", nargs="+", type=Path, help="files to load, in order")
        load.add_argument(
            "--agency",
            help="the agency's short name; needed when the deployment has more than one",
        )
        load.add_argument(
            "--replace", action="store_true", help="empty the agency's address table first"
        )
        load.add_argument(
            "--batch", type=int, default=importer.BATCH, help="rows per insert transaction"
        )
        load.add_argument(
            "--no-progress", action="store_true", help="no progress bar (it shows on a terminal)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        agency = self._agency(options["agency"])
        for path in options["files"]:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
        if options["batch"] < 1:
            raise CommandError("--batch must be at least 1")
        try:
            result = importer.load(
                agency,
                options["files"],
                replace=options["replace"],
                batch=options["batch"],
                progress=False if options["no_progress"] else None,
            )
        except importer.ImportError_ as exc:
            raise CommandError(str(exc)) from None
        # The address table decides where reports and places land: who changed it, and how.
        record(
            "geo.import",
            actor_label="geo import",
            agency=agency,
            target=agency,
            changes={
                "files": [path.name for path in options["files"]],
                "replace": options["replace"],
                "added": result.added,
                "already": result.already,
                "skipped": dict(result.skipped),
            },
        )
        self.stdout.write(
            f"{agency.slug}: {result.added} addresses added, {result.already} already present, "
            f"{result.skipped_total} rows skipped"
        )
        for reason, count in result.skipped.most_common():
            self.stdout.write(f"  skipped {count}: {reason}")

    def _agency(self, slug: str | None) -> Agency:
        if slug:
            found = Agency.objects.filter(slug=slug).first()
            if found is None:
                raise CommandError(f"no agency with the short name {slug!r}")
            return found
        agencies = list(Agency.objects.all()[:2])
        if len(agencies) != 1:
            raise CommandError("name the agency with --agency (short name)")
        return agencies[0]
