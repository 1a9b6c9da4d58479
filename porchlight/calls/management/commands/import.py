"""porchlight import FILE: load calls-for-service history (CSV with a preset, or JSON-lines)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from porchlight.agencies.models import Agency
from porchlight.calls.importing import MappingError, Unreadable, run_import
from porchlight.calls.importing.presets import NAMES
from porchlight.calls.importing.run import DEFAULT_BATCH_ROWS, DEFAULT_SOURCE, ImportResult

# Printed in full up to this many; the rest are in the quarantine and counted.
SHOWN_BAD_ROWS = 50


class Command(BaseCommand):
    help = _(
        "Import calls-for-service history from a CSV export (with a column-mapping preset) or a "
        "JSON-lines file of CAD events. History never texts anyone. Re-running resumes an "
        "interrupted import and does nothing for a finished one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("CSV or JSON-lines (.jsonl) file"))
        parser.add_argument("--agency", required=True, help=_("agency slug"))
        parser.add_argument("--preset", choices=NAMES, help=_("column mapping for a CSV file"))
        parser.add_argument("--mapping", help=_("mapping file (JSON) for the generic preset"))
        parser.add_argument(
            "--source",
            default=DEFAULT_SOURCE,
            help=_("source name for the events (default: import)"),
        )
        parser.add_argument(
            "--batch-rows", type=int, default=DEFAULT_BATCH_ROWS, help=_("rows per intake batch")
        )
        parser.add_argument(
            "--limit", type=int, help=_("stop after this many rows; run again to continue")
        )
        parser.add_argument("--no-progress", action="store_true", help=_("no progress bar"))

    def handle(self, *args: Any, **options: Any) -> None:
        agency = Agency.objects.filter(slug=options["agency"]).first()
        if agency is None:
            raise CommandError(_("no agency %(slug)r") % {"slug": options["agency"]})
        if options["batch_rows"] < 1:
            raise CommandError(_("--batch-rows must be at least 1"))
        try:
            result = run_import(
                options["file"],
                agency,
                options["preset"],
                mapping_path=options["mapping"],
                source=options["source"],
                batch_rows=options["batch_rows"],
                limit=options["limit"],
                progress=not options["no_progress"],
                # The raw stream: Django's wrapper ends every write with a newline, breaking the bar.
                progress_file=self.stderr._out,  # type: ignore[arg-type]
            )
        except (Unreadable, MappingError) as exc:
            raise CommandError(str(exc)) from None
        except KeyboardInterrupt:
            raise CommandError(
                _(
                    "interrupted; run the same command again to continue after the last committed batch"
                )
            ) from None
        self.report(result)

    def report(self, result: ImportResult) -> None:
        if result.already_done:
            assert result.run is not None
            self.stdout.write(
                _(
                    "%(file)s was already imported for this agency (%(rows)d rows, finished %(when)s); nothing to do."
                )
                % {"file": result.file_name, "rows": result.run.rows, "when": result.run.finished}
            )
            self._bad_rows(result)
            return
        if result.resumed_after_line:
            self.stdout.write(
                _("Resumed after line %(line)d.") % {"line": result.resumed_after_line}
            )
        self.stdout.write(
            _(
                "%(file)s: %(rows)d rows, %(events)d events: %(applied)d applied, %(duplicate)d duplicate, "
                "%(conflict)d conflict, %(rejected)d rejected (%(rate).0f rows/s)."
            )
            % {
                "file": result.file_name,
                "rows": result.rows,
                "events": result.events,
                "applied": result.applied,
                "duplicate": result.duplicate,
                "conflict": result.conflict,
                "rejected": result.rejected,
                "rate": result.rows_per_second,
            }
        )
        self._bad_rows(result)
        if not result.finished:
            self.stdout.write(
                _("Stopped before the end of the file; run the same command again to continue.")
            )

    def _bad_rows(self, result: ImportResult) -> None:
        if not result.bad_rows:
            return
        self.stdout.write(
            _("Rows with problems (rejected events are in the quarantine with their reason):")
        )
        for bad in result.bad_rows[:SHOWN_BAD_ROWS]:
            self.stdout.write(f"  {bad}")
        more = len(result.bad_rows) - SHOWN_BAD_ROWS
        if more > 0:
            self.stdout.write(_("  … and %(n)d more") % {"n": more})
