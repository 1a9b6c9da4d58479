"""`porchlight alerts import-beats FILE` and `porchlight alerts vapid-keys`."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from porchlight.agencies.models import Agency
from porchlight.alerts import beats
from porchlight.audit.log import record
from porchlight.notify.channels import push


class Command(BaseCommand):
    help = "Agency alerts: import beats from GeoJSON; make VAPID keys for web push."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import-beats", help="Load beats from a GeoJSON FeatureCollection.")
        load.add_argument("file", type=Path)
        load.add_argument("--agency", help="the agency's short name (needed with several)")
        load.add_argument(
            "--code-property", default="beat", help="the property holding the beat's code"
        )
        load.add_argument(
            "--name-property", default="name", help="the property holding the beat's name"
        )
        sub.add_parser("vapid-keys", help="Print a new VAPID key pair for the environment.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "vapid-keys":
            private = push.new_private_key()
            self.stdout.write(f"VAPID_PRIVATE_KEY={private}")
            self.stdout.write(
                f"# public key (browsers get it from the page): {push.public_key(private)}"
            )
            return
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        agency = self._agency(options["agency"])
        try:
            result = beats.import_geojson(
                agency, path.read_bytes(), code_property=options["code_property"],
                name_property=options["name_property"],
            )  # fmt: skip
        except beats.BeatFileError as exc:
            raise CommandError(f"{path}: {exc}") from None
        # Beats decide who hears an alert: who changed them, and how.
        record(
            "alerts.beats_import", actor_label="alerts import-beats", agency=agency,
            target=agency,
            changes={"file": path.name, "added": result.added, "updated": result.updated,
                     "skipped": len(result.skipped)},
        )  # fmt: skip
        self.stdout.write(
            f"{agency.slug}: {len(result.added)} beats added, {len(result.updated)} updated, "
            f"{len(result.skipped)} features skipped"
        )
        for number, reason in result.skipped:
            self.stdout.write(f"  feature {number}: {reason}")

    def _agency(self, slug: str | None) -> Agency:
        if slug:
            found = Agency.objects.filter(slug=slug).first()
            if found is None:
                raise CommandError(f"no agency {slug!r}")
            return found
        agencies = list(Agency.objects.all()[:2])
        if len(agencies) != 1:
            raise CommandError("give --agency (the deployment has none or several)")
        return agencies[0]
