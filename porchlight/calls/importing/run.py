"""History import: a whole export through intake, in large batches, resumable.

Every batch is one `ingest()` call, committed in the same transaction as the import's progress
(ImportRun.last_line), so an interrupted import resumes after its last committed batch with
nothing applied twice and nothing skipped. History is marked historical: it never texts anyone.
"""

from __future__ import annotations

import contextlib
import gc
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from porchlight.agencies.models import Agency, PriorityCode
from porchlight.audit.log import record
from porchlight.calls import rows
from porchlight.calls.importing import presets, staged
from porchlight.calls.importing.mapping import Mapping
from porchlight.calls.importing.readers import ExportReader, Row, count_rows, inspect, is_jsonl
from porchlight.calls.intake import (
    APPLIED,
    CONFLICT,
    DUPLICATE,
    REJECTED,
    Feed,
    content_hash,
    ingest,
)
from porchlight.calls.models import Call, Event, ImportRun, Quarantine
from porchlight.notify import pii

DEFAULT_SOURCE = "import"
DEFAULT_BATCH_ROWS = 500
# PostgreSQL's staged path (importing/staged.py) costs a fixed handful of statements a chunk, so
# bigger chunks pay for them less often; each still commits with its progress.
STAGED_BATCH_ROWS = 5000
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
    mapping: Mapping | None = None,
    source: str = DEFAULT_SOURCE,
    batch_rows: int | None = None,
    limit: int | None = None,
    progress: bool = False,
    progress_file: IO[str] | None = None,
    before_batch: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import one CSV (with a preset) or JSON-lines file into an agency; the benchmark calls this too.

    Raises readers.Unreadable (or presets.MappingError) when the file cannot be read at all.
    `limit` stops after that many rows, leaving the import resumable. `before_batch` is called
    with each batch's number before it is applied (tests use it to interrupt an import).
    `mapping`, instead of a preset, is a mapping already read (the console import's).
    """
    path = Path(path)
    if batch_rows is None:
        batch_rows = STAGED_BATCH_ROWS if staged.usable() else DEFAULT_BATCH_ROWS
    if isinstance(agency, str):
        agency = Agency.objects.get(slug=agency)
    if is_jsonl(path):
        mapping, preset_key = None, JSONL
    elif mapping is not None:
        preset_key = f"{mapping.name}:{mapping.digest[:12]}"
    else:
        if preset is None:
            raise presets.MappingError(f"a CSV file needs --preset ({', '.join(presets.NAMES)})")
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
        if run.state == ImportRun.State.UNDONE:
            # Imported, undone, and now wanted again: a fresh start under the same run.
            run.state, run.last_line, run.rows, run.finished = ImportRun.State.RUNNING, 0, 0, None
            run.applied = run.duplicate = run.conflict = run.rejected = run.bad_row_count = 0
            run.bad_rows = []
            run.save()
        if run.state == ImportRun.State.FINISHED:
            result.already_done = True
            result.bad_row_count = run.bad_row_count
            result.bad_rows = [BadRow(line, reason) for line, reason in run.bad_rows]
            return result
        result.resumed_after_line = run.last_line
        feed = Feed(
            agency=agency,
            source=source,
            covered={agency.ori: agency},
            historical=True,
            import_run_id=run.pk,
        )
        # Counted as the reader counts them (quoted line breaks, blank lines, no final newline),
        # so the bar ends at the number of rows; only when there is a bar to show.
        total = count_rows(path, facts.utf8) if progress else facts.lines
        bar = tqdm(
            total=total,
            initial=run.rows,
            unit="rows",
            file=progress_file or sys.stderr,
            disable=not progress,
            dynamic_ncols=True,
        )
        # The re-import check (_replace_changed) looks for calls this source stored before; an
        # agency with no event of this source yet has none, and a run that starts that way
        # only meets its own calls (kept anyway). A resumed run has stored events: checked.
        check = Event.objects.filter(agency=agency, source=source).exists()
        try:
            with _collector_paused():
                _read_and_commit(
                    reader, feed, run, result, bar, batch_rows, limit, before_batch, check
                )
        finally:
            bar.close()
    result.seconds = time.perf_counter() - started
    result.bad_row_count = run.bad_row_count
    return result


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while an import runs; young objects collected
    after each committed batch instead (`_committed`).

    A batch holds tens of thousands of containers (the rows' dicts, validated events) that
    survive long enough to be promoted, and each automatic full collection then walks the whole
    heap: it was half of the staged path's Python CPU (75 µs a row with the collector, 37
    without, measured on 10,000 rows). Reference counting frees a batch as usual; the
    per-batch `gc.collect(1)` frees any cycles it made, walking only the objects born since the
    last one. Process-wide, so only re-enabled by the import that turned it off."""
    enabled = gc.isenabled()
    if enabled:
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _committed() -> None:
    # The generations the collector would have walked while paused: this batch's survivors.
    gc.collect(1)


def _read_and_commit(
    reader: ExportReader,
    feed: Feed,
    run: ImportRun,
    result: ImportResult,
    bar: Any,
    batch_rows: int,
    limit: int | None,
    before_batch: Callable[[int], None] | None,
    check: bool,
) -> None:
    batch: list[Row] = []
    taken = number = 0

    def commit() -> None:
        nonlocal number
        number += 1
        if before_batch:
            before_batch(number)
        _commit(feed, run, batch, result, check)
        bar.update(len(batch))
        batch.clear()
        _committed()

    for line, raw in reader.raw_rows():
        if line <= run.last_line:
            continue
        if limit is not None and taken >= limit:
            break
        batch.append(reader.convert(line, raw))
        taken += 1
        if len(batch) >= batch_rows:
            commit()
    else:
        if batch:
            commit()
        with transaction.atomic():
            _claim(run, [])
            if run.state != ImportRun.State.FINISHED:  # else the other import finished it
                run.state = ImportRun.State.FINISHED
                run.finished = timezone.now()
                run.save(update_fields=["state", "finished"])
        result.finished = True
    if batch:  # stopped by --limit: commit what was read, then stop resumable
        commit()


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


class UndoError(Exception):
    """The run cannot be undone; the message says why."""


@dataclass
class UndoResult:
    calls: int = 0
    quarantined: int = 0
    kept: int = 0  # calls the run created that live events reached since: never removed


def undo_run(run_id: int, *, actor_label: str = "import", actor: Any = None) -> UndoResult:
    """Remove what one import run created: its calls (with their events) and its quarantined
    rows. A call that live events have reached since is kept: it is no longer only history.
    Audited. Running the same import again afterwards imports the file afresh."""
    result = UndoResult()
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            raise UndoError(f"no import run {run_id}")
        if run.state == ImportRun.State.UNDONE:
            raise UndoError(f"import run {run_id} was already undone")
        calls = Call.objects.filter(import_run=run)
        result.kept = calls.filter(historical=False).count()
        result.calls = calls.filter(historical=True).count()
        calls.filter(historical=True).delete()
        result.quarantined, _ = Quarantine.objects.filter(import_run=run).delete()
        run.state = ImportRun.State.UNDONE
        run.updated = timezone.now()
        run.save(update_fields=["state", "updated"])
        record(
            "import.undo",
            actor=actor,
            actor_label=actor_label,
            agency=run.agency,
            target=run,
            changes={
                "file": run.file_name,
                "preset": run.preset,
                "calls_removed": result.calls,
                "quarantine_removed": result.quarantined,
                "calls_kept": result.kept,
            },
        )
    return result


def _replace_changed(feed: Feed, events: list[Any], *, keep_this_run: bool = False) -> None:
    """Make room for a corrected mapping: a call this source imported before whose events now
    come out different is removed, with its events, so this batch creates it afresh instead of
    conflicting. History never texts anyone, so this is always safe; a call that live events
    have reached is left alone (its differences are reported as conflicts).

    `keep_this_run`: a call the same import run created in an earlier batch is never removed.
    Its events simply continue in this batch (a call's events often span two batches); removing
    it lost the earlier batch's events."""
    by_number: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in events:
        if isinstance(event, dict) and isinstance(event.get("incident_number"), str):
            by_number[event["incident_number"].strip()].append(event)
    if not by_number:
        return
    stored: dict[int, set[tuple[str, str]]] = defaultdict(set)
    numbers: dict[int, str] = {}
    historical: dict[int, bool] = {}
    # SQL written once (calls/rows.py): the ORM compiled this IN list of a few hundred
    # numbers for every batch.
    own: set[int] = set()
    for call_id, number, hist, event_id, digest, run_id in rows.stored_events(
        feed.agency.pk, feed.source, list(by_number)
    ):
        stored[call_id].add((event_id, digest))
        numbers[call_id] = number
        historical[call_id] = hist
        if keep_this_run and run_id is not None and run_id == feed.import_run_id:
            own.add(call_id)
    # Hashed only for the calls that have stored events (none, in a first import's batches):
    # intake hashes every event again anyway.
    stale = [
        call_id
        for call_id, seen in stored.items()
        if historical[call_id]
        and call_id not in own
        and _changed(
            seen,
            {
                (str(e.get("event_id", "")).strip(), content_hash(e))
                for e in by_number[numbers[call_id]]
            },
        )
    ]
    if stale:
        Call.objects.filter(pk__in=stale).delete()


def _changed(stored: set[tuple[str, str]], wanted: set[tuple[str, str]]) -> bool:
    """Whether a batch's events of a call say its stored events came from another mapping: one
    of its event ids is stored with other content (a CSV row's events are named after the
    incident and status, and every call has its "received" event, so a corrected mapping shows
    there). Events the call does not have yet are not a change: a file whose batches split a
    call, or a later export continuing it, adds them; replacing the call lost the rest."""
    digests = dict(stored)
    return any(digests.get(event_id, digest) != digest for event_id, digest in wanted)


def _quarantine_rows(
    feed: Feed,
    run: ImportRun,
    batch: list[Row],
    events: list[Any],
    owner: list[Row],
    outcomes: list[Any],
) -> None:
    """The batch's rejected events, each with its export row (encrypted) and line, so that a
    corrected mapping re-applies the row. Open rows an earlier run of this file left for the
    same lines are closed: applied now, or superseded by this run's own rows."""
    earlier_runs = _earlier_runs(run)
    rejected_lines: set[int] = set()
    new: list[Quarantine] = []
    for outcome in outcomes:
        if outcome.result not in (REJECTED, CONFLICT):
            continue
        row = owner[outcome.index]
        rejected_lines.add(row.line)
        row_enc = (
            pii.encrypt(orjson.dumps(_row_json(row.raw)).decode()) if row.raw is not None else None
        )
        new.append(quarantine_row(feed, run, outcome, events[outcome.index], row.line, row_enc))
    if not earlier_runs:
        # The first import of this file: no earlier run left rows to close (two UPDATEs over
        # the batch's lines, compiled per batch, saved).
        Quarantine.objects.bulk_create(new)
        return
    # Built only here: preparing the IN list of the batch's lines cost 5 % of a first import's
    # CPU when the query was built and never run.
    earlier = Quarantine.objects.filter(
        agency=feed.agency,
        source=feed.source,
        state=Quarantine.State.OPEN,
        import_run__sha256=run.sha256,
        line__in=[row.line for row in batch],
    ).exclude(import_run=run)
    now = timezone.now()
    earlier.exclude(line__in=rejected_lines).update(
        state=Quarantine.State.REPLAYED,
        resolved_at=now,
        resolution=f"applied when imported again under {run.preset} (run {run.pk})"[:200],
    )
    earlier.filter(line__in=rejected_lines).update(
        state=Quarantine.State.DISCARDED,
        resolved_at=now,
        resolution=f"superseded by run {run.pk} ({run.preset})"[:200],
    )
    Quarantine.objects.bulk_create(new)


def quarantine_row(
    feed: Feed, run: ImportRun, outcome: Any, event: Any, line: int, row_enc: Any
) -> Quarantine:
    """The quarantine row (unsaved) of an import's rejected or conflicting event: the event and
    its export row (encrypted) and line, so a corrected mapping re-applies the row
    (reapply.py makes them the same way)."""
    return Quarantine(
        agency=feed.agency,
        source=feed.source,
        event_id=(outcome.event_id or "")[:100],
        incident_number=(outcome.incident_number or "")[:40],
        kind=Quarantine.Kind.CONFLICT if outcome.result == CONFLICT else Quarantine.Kind.REJECTED,
        reason=outcome.reason,
        raw_enc=pii.encrypt(orjson.dumps(event).decode()),
        import_run=run,
        line=line,
        row_enc=row_enc,
    )


def _earlier_runs(run: ImportRun) -> bool:
    """Whether another run imported the same file (same digest) before: only then can open
    quarantine rows of its lines exist. One indexed EXISTS a batch, against two UPDATEs over
    the batch's lines."""
    return (
        ImportRun.objects.filter(agency_id=run.agency_id, sha256=run.sha256)
        .exclude(pk=run.pk)
        .exists()
    )


def _row_json(raw: dict[Any, Any]) -> dict[str, Any]:
    """The export row as JSON can hold it: a row longer than the header keeps its extra
    fields under "" (the reader puts them under None, which JSON has no key for)."""
    return {("" if key is None else str(key)): value for key, value in raw.items()}


def _claim(run: ImportRun, batch: list[Row]) -> list[Row]:
    """The batch's rows no other import of this run has committed yet; the run's row locked
    until this batch commits, and `run` read again (its progress and counts as committed).

    Two imports of the same file into the same agency (a second click, a watch folder and a
    command) share one run: the unique key is the agency, the file's digest, the preset and
    the source. Each batch is now committed by whichever import locks the run first and
    skipped by the other, so together they give what one import gives. Before, both applied
    every row: the second found the first's events duplicates, but quarantined the file's
    conflicts and bad rows a second time, and each saved its own stale counts over the
    other's. On SQLite the write lock taken at BEGIN (IMMEDIATE) serialises the same way."""
    run.refresh_from_db(from_queryset=ImportRun.objects.select_for_update())
    return [row for row in batch if row.line > run.last_line]


def _commit(
    feed: Feed, run: ImportRun, batch: list[Row], result: ImportResult, check: bool = True
) -> None:
    with transaction.atomic():
        batch = _claim(run, batch)
        if batch:
            _apply_batch(feed, run, batch, result, check)


def _apply_batch(
    feed: Feed, run: ImportRun, batch: list[Row], result: ImportResult, check: bool
) -> None:
    events: list[Any] = []
    owner: list[Row] = []
    for row in batch:
        events.extend(row.events)
        owner.extend([row] * len(row.events))
    reasons: dict[int, list[str]] = {row.line: list(row.notes) for row in batch if row.notes}
    counts = {APPLIED: 0, DUPLICATE: 0, CONFLICT: 0, REJECTED: 0}
    if events and check:
        _replace_changed(feed, events, keep_this_run=True)
    # Quarantined here, not by ingest: the row keeps its export row and line.
    # PostgreSQL: COPY into a staging table and a set-based merge (importing/staged.py);
    # SQLite: ingest(), as the API does.
    if not events:
        outcomes: list[Any] = []
    elif staged.usable():
        outcomes = staged.apply(feed, events)
    else:
        outcomes, _ = ingest(feed, events, quarantine=False)
    _quarantine_rows(feed, run, batch, events, owner, outcomes)
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
