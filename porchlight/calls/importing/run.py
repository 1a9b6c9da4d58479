"""History import: a whole export through intake, in large batches, resumable.

Every batch is one `ingest()` call, committed in the same transaction as the import's progress
(ImportRun.last_line), so an interrupted import resumes after its last committed batch with
nothing applied twice and nothing skipped. History is marked historical: it never texts anyone.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from porchlight.agencies.models import Agency, PriorityCode
from porchlight.audit.log import record
from porchlight.calls.importing import presets
from porchlight.calls.importing.mapping import Mapping
from porchlight.calls.importing.readers import ExportReader, Row, inspect, is_jsonl
from porchlight.calls.intake import APPLIED, CONFLICT, DUPLICATE, REJECTED, Feed, ingest
from porchlight.calls.models import ImportRun

DEFAULT_SOURCE = "import"
DEFAULT_BATCH_ROWS = 500
# Bad rows kept on the ImportRun to report again later; the quarantine holds every one of them.
BAD_ROWS_KEPT = 1000
JSONL = "jsonl"


@dataclass
class BadRow:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ImportResult:
    file_name: str
    preset: str
    rows: int = 0  # rows committed by this call
    events: int = 0
    applied: int = 0
    duplicate: int = 0
    conflict: int = 0
    rejected: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)
    bad_row_count: int = 0
    resumed_after_line: int = 0
    already_done: bool = False
    finished: bool = False
    seconds: float = 0.0
    run: ImportRun | None = None

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def run_import(
    path: str | Path,
    agency: Agency | str,
    preset: str | None = None,
    *,
    mapping_path: str | Path | None = None,
    source: str = DEFAULT_SOURCE,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    limit: int | None = None,
    progress: bool = False,
    progress_file: IO[str] | None = None,
    before_batch: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import one CSV (with a preset) or JSON-lines file into an agency; the benchmark calls this too.

    Raises readers.Unreadable (or presets.MappingError) when the file cannot be read at all.
    `limit` stops after that many rows, leaving the import resumable. `before_batch` is called
    with each batch's number before it is applied (tests use it to interrupt an import).
    """
    path = Path(path)
    if isinstance(agency, str):
        agency = Agency.objects.get(slug=agency)
    if is_jsonl(path):
        mapping, preset_key = None, JSONL
    else:
        if preset is None:
            raise presets.MappingError(
                "a CSV file needs --preset (generic, new-orleans or san-francisco)"
            )
        mapping = presets.load(preset, mapping_path)
        preset_key = f"{preset}:{mapping.digest[:12]}" if preset == presets.GENERIC else preset
    facts = inspect(path)
    apply_priority_ranks(agency, mapping)
    result = ImportResult(file_name=path.name, preset=preset_key)
    started = time.perf_counter()
    with ExportReader(path, mapping, agency.time_zone, utf8=facts.utf8) as reader:
        run, _ = ImportRun.objects.get_or_create(
            agency=agency,
            sha256=facts.sha256,
            preset=preset_key,
            source=source,
            defaults={"file_name": path.name},
        )
        result.run = run
        if run.state == ImportRun.State.FINISHED:
            result.already_done = True
            result.bad_row_count = run.bad_row_count
            result.bad_rows = [BadRow(line, reason) for line, reason in run.bad_rows]
            return result
        result.resumed_after_line = run.last_line
        feed = Feed(agency=agency, source=source, covered={agency.ori: agency}, historical=True)
        total = max(facts.lines - (0 if reader.jsonl else 1), run.rows)
        bar = tqdm(
            total=total,
            initial=run.rows,
            unit="rows",
            file=progress_file or sys.stderr,
            disable=not progress,
            dynamic_ncols=True,
        )
        batch: list[Row] = []
        taken = 0
        number = 0
        try:
            for line, raw in reader.raw_rows():
                if line <= run.last_line:
                    continue
                if limit is not None and taken >= limit:
                    break
                batch.append(reader.convert(line, raw))
                taken += 1
                if len(batch) >= batch_rows:
                    number += 1
                    if before_batch:
                        before_batch(number)
                    _commit(feed, run, batch, result)
                    bar.update(len(batch))
                    batch = []
            else:
                if batch:
                    number += 1
                    if before_batch:
                        before_batch(number)
                    _commit(feed, run, batch, result)
                    bar.update(len(batch))
                    batch = []
                run.state = ImportRun.State.FINISHED
                run.finished = timezone.now()
                run.save(update_fields=["state", "finished"])
                result.finished = True
            if batch:  # stopped by --limit: commit what was read, then stop resumable
                _commit(feed, run, batch, result)
                bar.update(len(batch))
        finally:
            bar.close()
    result.seconds = time.perf_counter() - started
    result.bad_row_count = run.bad_row_count
    return result


def apply_priority_ranks(agency: Agency, mapping: Mapping | None) -> list[str]:
    """The mapping's "values.priority" ranks, as the agency's priority codes: a code with no
    rank yet gets the mapping's; a rank staff set is never changed. Returns the codes set."""
    ranks = mapping.values.get("priority", {}) if mapping is not None else {}
    if mapping is None or not ranks:
        return []
    changed: list[str] = []
    with transaction.atomic():
        existing = {p.code: p for p in PriorityCode.objects.filter(agency=agency, code__in=ranks)}
        for code, rank in ranks.items():
            found = existing.get(code)
            if found is None:
                PriorityCode.objects.create(agency=agency, code=code, rank=rank)
            elif found.rank is None:
                found.rank = rank
                found.save(update_fields=["rank"])
            else:
                continue
            changed.append(code)
        if changed:
            record(
                "priority_code.map",
                actor_label="import",
                agency=agency,
                changes={"ranks": {code: ranks[code] for code in changed}, "by": mapping.name},
            )
    return changed


def _commit(feed: Feed, run: ImportRun, batch: list[Row], result: ImportResult) -> None:
    events: list[Any] = []
    owner: list[Row] = []
    for row in batch:
        events.extend(row.events)
        owner.extend([row] * len(row.events))
    reasons: dict[int, list[str]] = {row.line: list(row.notes) for row in batch if row.notes}
    counts = {APPLIED: 0, DUPLICATE: 0, CONFLICT: 0, REJECTED: 0}
    with transaction.atomic():
        outcomes, _ = ingest(feed, events) if events else ([], None)
        for outcome in outcomes:
            counts[outcome.result] += 1
            if outcome.result in (REJECTED, CONFLICT):
                line = owner[outcome.index].line
                status = (
                    events[outcome.index].get("status", "?")
                    if isinstance(events[outcome.index], dict)
                    else "?"
                )
                reasons.setdefault(line, []).append(
                    f"{status} event {outcome.result}: {outcome.reason}"
                )
        bad = [BadRow(line, "; ".join(texts)) for line, texts in sorted(reasons.items())]
        room = BAD_ROWS_KEPT - len(run.bad_rows)
        if room > 0:
            run.bad_rows = run.bad_rows + [[b.line, b.reason] for b in bad[:room]]
        run.bad_row_count += len(bad)
        run.last_line = batch[-1].line
        run.rows += len(batch)
        run.applied += counts[APPLIED]
        run.duplicate += counts[DUPLICATE]
        run.conflict += counts[CONFLICT]
        run.rejected += counts[REJECTED]
        run.updated = timezone.now()
        run.save()
    result.rows += len(batch)
    result.events += len(events)
    result.applied += counts[APPLIED]
    result.duplicate += counts[DUPLICATE]
    result.conflict += counts[CONFLICT]
    result.rejected += counts[REJECTED]
    result.bad_rows.extend(bad)
