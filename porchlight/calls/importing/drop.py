"""The drop folder: CAD files exported into a directory (often by SFTP) go through intake.

A file is taken once its size and modification time have stopped changing between two looks,
and never while it carries a temporary upload name. Each file is remembered by its SHA-256
(DropFile) in the same transaction that applies its events, so a file is applied at most once
even if the process dies before moving it: the next pass sees the digest and only moves it.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from porchlight.agencies.models import Agency
from porchlight.calls.importing.mapping import Mapping
from porchlight.calls.importing.readers import ExportReader, Unreadable, inspect, is_jsonl
from porchlight.calls.intake import (
    APPLIED,
    CONFLICT,
    DUPLICATE,
    REJECTED,
    Feed,
    Outcome,
    ingest,
)
from porchlight.calls.models import DropFile

log = logging.getLogger(__name__)

DEFAULT_SOURCE = "drop"
PROCESSED, REJECTED_DIR, DUPLICATES = "processed", "rejected", "duplicates"
# Names SFTP and copy tools give a file while it is still being written.
TEMPORARY_SUFFIXES = (".tmp", ".part", ".filepart", ".partial", ".crdownload")
Snapshot = dict[str, tuple[int, int]]
Intake = Callable[[Feed, list[Any]], tuple[list[Outcome], Any]]


def is_candidate(path: Path) -> bool:
    name = path.name
    return (
        not name.startswith(".")
        and not name.lower().endswith(TEMPORARY_SUFFIXES)
        and path.is_file()
    )


def snapshot(folder: Path) -> Snapshot:
    """Size and mtime of every file that may be taken, by name."""
    seen: Snapshot = {}
    for path in folder.iterdir():
        if is_candidate(path):
            try:
                st = path.stat()
            except FileNotFoundError:  # renamed or moved between listing and stat
                continue
            seen[path.name] = (st.st_size, st.st_mtime_ns)
    return seen


def settled(before: Snapshot, now: Snapshot) -> list[str]:
    """Files seen unchanged in both looks: an upload still in progress changes size or mtime."""
    return sorted(name for name, facts in now.items() if before.get(name) == facts)


@dataclass
class FileResult:
    name: str
    outcome: str  # processed, duplicate, rejected
    reason: str = ""
    counts: dict[str, int] | None = None

    def __str__(self) -> str:
        if self.outcome == "processed" and self.counts:
            c = self.counts
            return (
                f"{self.name}: processed, {c[APPLIED]} applied, {c[DUPLICATE]} duplicate, "
                f"{c[CONFLICT]} conflict, {c[REJECTED]} rejected"
            )
        return f"{self.name}: {self.outcome}" + (f" ({self.reason})" if self.reason else "")


class DropFolder:
    def __init__(
        self,
        folder: Path,
        agency: Agency,
        *,
        source: str = DEFAULT_SOURCE,
        mapping: Mapping | None = None,
        intake: Intake = ingest,
    ) -> None:
        self.folder = folder
        self.agency = agency
        self.source = source
        self.mapping = mapping
        # CAD intake, or another feed's with the same rules (cases.rms.ingest for RMS files).
        self.intake = intake
        self.feed = Feed(agency=agency, source=source, covered={agency.ori: agency})

    def process_settled(self, before: Snapshot, now: Snapshot) -> list[FileResult]:
        return [self.process(self.folder / name) for name in settled(before, now)]

    def process(self, path: Path) -> FileResult:
        try:
            facts = inspect(path)
        except Unreadable as exc:
            return self._reject(path, "", str(exc))
        known = DropFile.objects.filter(agency=self.agency, sha256=facts.sha256).first()
        if known is not None and known.state == DropFile.State.APPLIED:
            # Applied before. Either this is the same file again, or the process stopped between
            # applying it and moving it; both times it is only moved, never applied again.
            if known.name == path.name and not (self.folder / PROCESSED / path.name).exists():
                self._move(path, PROCESSED)
                return FileResult(path.name, "processed", "applied earlier; moved now")
            self._move(path, DUPLICATES)
            return FileResult(
                path.name,
                "duplicate",
                f"same content as {known.name}, received {known.received:%Y-%m-%d %H:%M}",
            )
        try:
            events, notes = self._read(path, facts.utf8)
        except Unreadable as exc:
            return self._reject(path, facts.sha256, str(exc))
        counts = {APPLIED: 0, DUPLICATE: 0, CONFLICT: 0, REJECTED: 0}
        with transaction.atomic():
            size = settings.INTAKE_MAX_EVENTS
            for start in range(0, len(events), size):
                outcomes, _ = self.intake(self.feed, events[start : start + size])
                for outcome in outcomes:
                    counts[outcome.result] += 1
            DropFile.objects.update_or_create(
                agency=self.agency,
                sha256=facts.sha256,
                defaults={
                    "name": path.name,
                    "source": self.source,
                    "state": DropFile.State.APPLIED,
                    "reason": "\n".join(notes[:100]),
                    "events": len(events),
                    "applied": counts[APPLIED],
                    "duplicate": counts[DUPLICATE],
                    "conflict": counts[CONFLICT],
                    "rejected": counts[REJECTED],
                    "received": timezone.now(),
                },
            )
        self._move(path, PROCESSED)
        return FileResult(path.name, "processed", counts=counts)

    def _read(self, path: Path, utf8: bool) -> tuple[list[Any], list[str]]:
        """The file's events and the notes on its bad lines, or Unreadable."""
        if path.suffix.lower() == ".json":
            try:
                body = orjson.loads(path.read_bytes())
            except orjson.JSONDecodeError as exc:
                raise Unreadable(f"not valid JSON: {exc}") from None
            if not isinstance(body, dict) or not isinstance(body.get("events"), list):
                raise Unreadable(
                    'the file must be a JSON object with an "events" list, as the API takes'
                )
            if not body["events"]:
                raise Unreadable('the "events" list is empty')
            return body["events"], []
        if not is_jsonl(path) and path.suffix.lower() != ".csv":
            raise Unreadable("not a file type the drop folder takes (.json, .jsonl, .csv)")
        events: list[Any] = []
        notes: list[str] = []
        readable = False
        with ExportReader(path, self.mapping, self.agency.time_zone, utf8=utf8) as reader:
            for row in reader.rows():
                events.extend(row.events)
                if not row.notes:
                    readable = True
                notes.extend(f"line {row.line}: {note}" for note in row.notes)
        if not events:
            raise Unreadable("the file holds no events")
        if reader.jsonl and not readable:
            raise Unreadable("no line of the file is valid JSON")
        return events, notes

    def _reject(self, path: Path, sha256: str, reason: str) -> FileResult:
        moved = self._move(path, REJECTED_DIR)
        stamp = timezone.now().isoformat(timespec="seconds")
        moved.with_name(moved.name + ".reason.txt").write_text(
            f"{reason}\n\nfile: {path.name}\nsha256: {sha256 or '-'}\nrejected: {stamp}\n",
            encoding="utf-8",
        )
        if sha256:
            DropFile.objects.update_or_create(
                agency=self.agency,
                sha256=sha256,
                defaults={
                    "name": path.name,
                    "source": self.source,
                    "state": DropFile.State.REJECTED,
                    "reason": reason,
                },
            )
        log.warning("drop folder: rejected %s: %s", path.name, reason)
        return FileResult(path.name, "rejected", reason)

    def _move(self, path: Path, subfolder: str) -> Path:
        target_dir = self.folder / subfolder
        target_dir.mkdir(exist_ok=True)
        target = target_dir / path.name
        n = 1
        while target.exists():  # an agency may reuse one name for every export
            target = target_dir / f"{path.stem}.{n}{path.suffix}"
            n += 1
        return Path(shutil.move(str(path), str(target)))


def watch(
    folder: DropFolder,
    *,
    once: bool,
    interval: float,
    settle: float,
    report: Callable[[FileResult], None],
    sleep: Callable[[float], None],
) -> None:
    """Take settled files until stopped; with `once`, one pass (two looks `settle` apart)."""
    before = snapshot(folder.folder)
    sleep(settle if once else interval)
    while True:
        now = snapshot(folder.folder)
        for result in folder.process_settled(before, now):
            report(result)
        if once:
            return
        before = snapshot(folder.folder)
        sleep(interval)
