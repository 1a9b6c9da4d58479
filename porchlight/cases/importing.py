"""`porchlight import --kind rms FILE`: RMS case events from a file, through RMS intake.

The file is the API's body ({"events": [...]}, .json) or one event a line (.jsonl); it is
applied in batches of the API's size, each its own transaction, so an interrupted import is
simply run again: what was applied comes back as duplicates. Quarantine and ordering are the
API's (rms.py)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from django.conf import settings

from porchlight.agencies.models import Agency
from porchlight.calls.intake import Feed
from porchlight.cases import rms

DEFAULT_SOURCE = "rms-import"


class Unreadable(ValueError):
    """The file cannot be read as RMS events; the message says why."""


@dataclass
class ImportResult:
    events: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    bad_lines: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def read(path: Path) -> tuple[list[Any], list[str]]:
    """The file's events, and notes on lines that are not JSON."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise Unreadable(f"cannot read {path}: {exc.strerror}") from None
    if path.suffix.lower() == ".json":
        try:
            body = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise Unreadable(f"not valid JSON: {exc}") from None
        if not isinstance(body, dict) or not isinstance(body.get("events"), list):
            raise Unreadable(
                'the file must be a JSON object with an "events" list, as the API takes'
            )
        return body["events"], []
    events: list[Any] = []
    notes: list[str] = []
    for n, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            events.append(orjson.loads(line))
        except orjson.JSONDecodeError as exc:
            notes.append(f"line {n}: not valid JSON ({exc})")
    if not events:
        raise Unreadable("the file holds no events")
    return events, notes


def import_file(path: Path, agency: Agency, *, source: str = DEFAULT_SOURCE) -> ImportResult:
    events, notes = read(path)
    feed = Feed(agency=agency, source=source, covered={agency.ori: agency})
    result = ImportResult(events=len(events), bad_lines=notes)
    size = settings.INTAKE_MAX_EVENTS
    for start in range(0, len(events), size):
        outcomes, _ = rms.ingest(feed, events[start : start + size])
        for outcome in outcomes:
            result.counts[outcome.result] += 1
            if outcome.reason and outcome.result != "duplicate":
                result.reasons.append(f"event {start + outcome.index + 1}: {outcome.reason}")
    return result
