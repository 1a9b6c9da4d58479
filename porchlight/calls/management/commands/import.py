"""porchlight import FILE: load calls-for-service history (CSV with a preset, or JSON-lines)."""

from __future__ import annotations

from typing import Any

import orjson
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from porchlight.agencies.models import Agency
from porchlight.calls.importing import MappingError, Unreadable, presets, run_import
from porchlight.calls.importing.check import CheckReport, Distinct, check_file
from porchlight.calls.importing.presets import NAMES
from porchlight.calls.importing.reapply import ReapplyError, reapply_run
from porchlight.calls.importing.run import (
    DEFAULT_SOURCE,
    ImportResult,
    UndoError,
    undo_run,
)

# Printed in full up to this many; the rest are in the quarantine and counted.
SHOWN_BAD_ROWS = 50
# Distinct values printed per column by --check, most frequent first.
SHOWN_VALUES = 40


class Command(BaseCommand):
    help = _(
        "Import calls-for-service history from a CSV export (with a column-mapping preset) or a "
        "JSON-lines file of CAD events. History never texts anyone. Re-running resumes an "
        "interrupted import and does nothing for a finished one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help=_("CSV or JSON-lines (.jsonl) file"))
        parser.add_argument("--agency", help=_("agency slug (required to import or check)"))
        parser.add_argument(
            "--check",
            action="store_true",
            help=_(
                "read the whole file through the mapping and write nothing: the first rows as "
                "they would be stored, rejections by reason, and the distinct call types, "
                "priorities, statuses and dispositions with the ones not yet mapped"
            ),
        )
        parser.add_argument(
            "--undo",
            type=int,
            metavar="RUN",
            help=_("remove the calls one import run created (the run number is in its summary)"),
        )
        parser.add_argument(
            "--reapply",
            type=int,
            metavar="RUN",
            help=_(
                "convert the rows one import run quarantined again under a corrected --preset "
                "or --mapping, without the file, and import them"
            ),
        )
        parser.add_argument("--preset", choices=NAMES, help=_("column mapping for a CSV file"))
        parser.add_argument("--mapping", help=_("mapping file (JSON) for the generic preset"))
        parser.add_argument(
            "--source",
            default=DEFAULT_SOURCE,
            help=_("source name for the events (default: import)"),
        )
        parser.add_argument("--batch-rows", type=int, default=None, help=_("rows per intake batch"))
        parser.add_argument(
            "--limit", type=int, help=_("stop after this many rows; run again to continue")
        )
        parser.add_argument("--no-progress", action="store_true", help=_("no progress bar"))
        parser.add_argument(
            "--kind",
            choices=("cad", "rms"),
            default="cad",
            help=_("cad history (the default), or rms case events (.json or .jsonl)"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reapply"] is not None:
            self.reapply(options)
            return
        if options["undo"] is not None:
            try:
                undone = undo_run(options["undo"], actor_label="porchlight import --undo")
            except UndoError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(
                _(
                    "Run %(run)d undone: %(calls)d calls and %(held)d quarantined rows removed; "
                    "%(kept)d calls kept because live events arrived for them since."
                )
                % {
                    "run": options["undo"],
                    "calls": undone.calls,
                    "held": undone.quarantined,
                    "kept": undone.kept,
                }  # fmt: skip
            )
            return
        if not options["file"] or not options["agency"]:
            raise CommandError(_("give a FILE and --agency (or --undo RUN)"))
        agency = Agency.objects.filter(slug=options["agency"]).first()
        if agency is None:
            raise CommandError(_("no agency %(slug)r") % {"slug": options["agency"]})
        if options["kind"] == "rms":
            self.import_rms(options, agency)
            return
        # Default: importing/run.py's, by engine (bigger chunks for PostgreSQL's staged path).
        if options["batch_rows"] is not None and options["batch_rows"] < 1:
            raise CommandError(_("--batch-rows must be at least 1"))
        if options["check"]:
            try:
                report = check_file(
                    options["file"], agency, options["preset"], mapping_path=options["mapping"]
                )
            except (Unreadable, MappingError) as exc:
                raise CommandError(str(exc)) from None
            self.check_report(report)
            return
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

    def import_rms(self, options: dict[str, Any], agency: Agency) -> None:
        from pathlib import Path

        from porchlight.cases import importing

        source = options["source"] if options["source"] != DEFAULT_SOURCE else None
        try:
            result = importing.import_file(
                Path(options["file"]), agency, source=source or importing.DEFAULT_SOURCE
            )
        except importing.Unreadable as exc:
            raise CommandError(str(exc)) from None
        c = result.counts
        self.stdout.write(
            _(
                "%(events)d RMS events: %(applied)d applied, %(duplicate)d duplicate, "
                "%(conflict)d conflict, %(rejected)d rejected (quarantined)."
            )
            % {
                "events": result.events,
                "applied": c["applied"],
                "duplicate": c["duplicate"],
                "conflict": c["conflict"],
                "rejected": c["rejected"],
            }  # fmt: skip
        )
        for line in (result.bad_lines + result.reasons)[:SHOWN_BAD_ROWS]:
            self.stdout.write(line)

    def reapply(self, options: dict[str, Any]) -> None:
        preset = options["preset"] or ("generic" if options["mapping"] else None)
        if preset is None:
            raise CommandError(_("--reapply needs the corrected --preset or --mapping FILE"))
        try:
            mapping = presets.load(preset, options["mapping"])
            done = reapply_run(
                options["reapply"], mapping, actor_label="porchlight import --reapply"
            )
        except (MappingError, ReapplyError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            _(
                "Run %(run)d: %(lines)d quarantined rows read again; %(applied)d applied, "
                "%(held)d still rejected."
            )
            % {
                "run": options["reapply"],
                "lines": done.lines,
                "applied": done.applied,
                "held": done.still_rejected,
            }  # fmt: skip
        )
        for line, why in done.reasons[:SHOWN_BAD_ROWS]:
            self.stdout.write(_("line %(line)d: %(reason)s") % {"line": line, "reason": why})

    def check_report(self, report: CheckReport) -> None:
        w = self.stdout.write
        w(
            _(
                "%(file)s: %(rows)d rows, %(events)d events; %(bad)d rows would be rejected in "
                "part or whole. Nothing was written."
            )
            % {
                "file": report.file_name,
                "rows": report.rows,
                "events": report.events,
                "bad": report.rows_with_problems,
            }  # fmt: skip
        )
        w("")
        w(_("First rows as they would be stored:"))
        for line, events in report.sample:
            for event in events:
                w(f"  line {line}: {orjson.dumps(event).decode()}")
        w("")
        if report.reasons:
            w(_("Rejections by reason (rows, first line, first reason):"))
            ordered = sorted(report.reasons.items(), key=lambda kv: (-kv[1][0], kv[0]))
            for code, (rows, line, text) in ordered:
                w(f"  {rows:6d}  {code}  (line {line}: {text})")
        else:
            w(_("No row would be rejected."))
        for title, distinct in (
            (_("Call types"), report.call_types),
            (_("Priorities"), report.priorities),
            (_("Statuses"), report.statuses),
            (_("Dispositions"), report.dispositions),
        ):
            self._distinct(title, distinct)

    def _distinct(self, title: str, distinct: Distinct) -> None:
        w = self.stdout.write
        w("")
        if not distinct.counts:
            w(_("%(title)s: none in the file (or not mapped to a column).") % {"title": title})
            return
        w(
            _("%(title)s: %(n)d distinct, %(unmapped)d not mapped yet")
            % {"title": title, "n": len(distinct.counts), "unmapped": len(distinct.unmapped)}
        )
        for value, n in distinct.counts.most_common(SHOWN_VALUES):
            flag = _("  (not mapped)") if value in distinct.unmapped else ""
            w(f"  {n:6d}  {value}{flag}")
        more = len(distinct.counts) - SHOWN_VALUES
        if more > 0:
            w(_("  … and %(n)d more") % {"n": more})

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
        if result.run is not None:
            self.stdout.write(
                _("Import run %(run)d; to remove what it created: porchlight import --undo %(run)d")
                % {"run": result.run.pk}
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
