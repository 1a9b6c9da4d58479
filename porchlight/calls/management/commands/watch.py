"""porchlight watch DIR: a drop folder for CADs that can only export files."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from porchlight.agencies.models import Agency
from porchlight.calls.importing import MappingError, presets
from porchlight.calls.importing.drop import DEFAULT_SOURCE, DropFolder, FileResult, watch


class Command(BaseCommand):
    help = _(
        'Take CAD files dropped into a folder: *.json (the API\'s {"events": [...]} body), '
        "*.jsonl (one event a line) and *.csv (with --preset). Processed files move to "
        "DIR/processed/, unreadable ones to DIR/rejected/ with a .reason.txt, and a file "
        "seen before to DIR/duplicates/."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", help=_("the drop folder"))
        parser.add_argument("--agency", required=True, help=_("agency slug"))
        parser.add_argument(
            "--source", default=DEFAULT_SOURCE, help=_("source name for the events (default: drop)")
        )
        parser.add_argument(
            "--preset", choices=presets.NAMES, help=_("column mapping for *.csv files")
        )
        parser.add_argument("--mapping", help=_("mapping file (JSON) for the generic preset"))
        parser.add_argument(
            "--kind",
            choices=("cad", "rms"),
            default="cad",
            help=_("cad events, or rms case events (*.json and *.jsonl only)"),
        )
        parser.add_argument("--once", action="store_true", help=_("one pass, then exit"))
        parser.add_argument(
            "--interval", type=float, default=5.0, help=_("seconds between passes (default 5)")
        )
        parser.add_argument(
            "--settle",
            type=float,
            default=2.0,
            help=_(
                "with --once: seconds between the two looks that show a file is no longer growing (default 2)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["dir"])
        if not folder.is_dir():
            raise CommandError(_("%(dir)s is not a directory") % {"dir": folder})
        agency = Agency.objects.filter(slug=options["agency"]).first()
        if agency is None:
            raise CommandError(_("no agency %(slug)r") % {"slug": options["agency"]})
        if options["interval"] <= 0 or options["settle"] < 0:
            raise CommandError(_("--interval must be positive and --settle not negative"))
        mapping = None
        if options["preset"]:
            try:
                mapping = presets.load(options["preset"], options["mapping"])
            except MappingError as exc:
                raise CommandError(str(exc)) from None
        if options["kind"] == "rms":
            if mapping is not None:
                raise CommandError(_("RMS files are JSON or JSON-lines: --preset is for CAD CSV"))
            from porchlight.cases import rms

            drop = DropFolder(folder, agency, source=options["source"], intake=rms.ingest)
        else:
            drop = DropFolder(folder, agency, source=options["source"], mapping=mapping)

        def report(result: FileResult) -> None:
            self.stdout.write(str(result))

        if not options["once"]:
            self.stdout.write(
                _("Watching %(dir)s for %(agency)s (Ctrl-C stops)")
                % {"dir": folder, "agency": agency.slug}
            )
        try:
            watch(
                drop,
                once=options["once"],
                interval=options["interval"],
                settle=options["settle"],
                report=report,
                sleep=time.sleep,
            )
        except KeyboardInterrupt:
            self.stdout.write(_("Stopped."))
