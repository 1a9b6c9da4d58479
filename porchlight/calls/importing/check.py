"""`porchlight import FILE --check`: read the whole file through the mapping, write nothing.

What a person needs to iterate on a mapping in seconds: the first rows as they would be stored,
how many rows would be rejected and why (by reason code, with the first line of each), and
every distinct call type, priority, status and disposition in the file, with the ones the
mapping or the agency does not map yet. It validates each event exactly as intake would
(the same schema and plausibility window), but touches no table.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from porchlight.agencies.models import Agency, Disposition, PriorityCode
from porchlight.calls.importing import presets
from porchlight.calls.importing.mapping import Mapping
from porchlight.calls.importing.readers import ExportReader, inspect, is_jsonl
from porchlight.calls.models import CallType
from porchlight.calls.schemas import CadEvent

SAMPLE_ROWS = 5


@dataclass
class Distinct:
    """One column's distinct values (with how many rows hold each), and the unmapped ones."""

    counts: Counter[str] = field(default_factory=Counter)
    unmapped: set[str] = field(default_factory=set)


@dataclass
class CheckReport:
    file_name: str
    rows: int = 0
    events: int = 0
    rows_with_problems: int = 0
    sample: list[tuple[int, list[dict[str, Any]]]] = field(default_factory=list)
    # reason code → (rows, first line, first reason in full)
    reasons: dict[str, list[Any]] = field(default_factory=dict)
    call_types: Distinct = field(default_factory=Distinct)
    priorities: Distinct = field(default_factory=Distinct)
    statuses: Distinct = field(default_factory=Distinct)
    dispositions: Distinct = field(default_factory=Distinct)


def _validation_codes(exc: ValidationError) -> list[tuple[str, str]]:
    out = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"]) or "event"
        out.append((f"{loc}: {err['type']}", f"{loc}: {err['msg']}"))
    return out


def check_file(
    path: str | Path,
    agency: Agency,
    preset: str | None = None,
    *,
    mapping_path: str | Path | None = None,
    mapping: Mapping | None = None,
    sample_rows: int = SAMPLE_ROWS,
) -> CheckReport:
    """Read every row as an import would, and report; raises Unreadable or MappingError."""
    path = Path(path)
    if is_jsonl(path):
        mapping = None
    elif mapping is None:
        if preset is None:
            raise presets.MappingError(f"a CSV file needs --preset ({', '.join(presets.NAMES)})")
        mapping = presets.load(preset, mapping_path)
    facts = inspect(path)
    report = CheckReport(file_name=path.name)
    status_cols: tuple[str, ...] = ()
    with ExportReader(path, mapping, agency.time_zone, utf8=facts.utf8) as reader:
        if reader.converter is not None:
            status_cols = reader.converter.columns.get("status", ())
        for row in reader.rows():
            report.rows += 1
            report.events += len(row.events)
            problems: list[tuple[str, str]] = list(zip(row.codes, row.notes, strict=False))
            for event in row.events:
                if not isinstance(event, dict):
                    continue
                try:
                    CadEvent.model_validate(event)
                except ValidationError as exc:
                    problems.extend(_validation_codes(exc))
                if event.get("call_type"):
                    report.call_types.counts[str(event["call_type"])] += 1
                if event.get("priority"):
                    report.priorities.counts[str(event["priority"])] += 1
                if event.get("disposition"):
                    report.dispositions.counts[str(event["disposition"])] += 1
            if status_cols and row.raw is not None:
                for col in status_cols:
                    if word := (row.raw.get(col) or "").strip():
                        report.statuses.counts[word] += 1
                        break
            if problems:
                report.rows_with_problems += 1
                for code in dict.fromkeys(c for c, _ in problems):
                    text = next(t for c, t in problems if c == code)
                    entry = report.reasons.setdefault(code, [0, row.line, text])
                    entry[0] += 1
            if len(report.sample) < sample_rows:
                report.sample.append((row.line, row.events))

    # Counts are per event (a row of four status times counts its call type four times): they
    # are for spotting values, not for statistics.
    reviewed = set(
        CallType.objects.filter(
            agency=agency, code__in=list(report.call_types.counts), needs_mapping=False
        ).values_list("code", flat=True)
    )
    report.call_types.unmapped = set(report.call_types.counts) - reviewed
    ranked = set(
        PriorityCode.objects.filter(
            agency=agency, code__in=list(report.priorities.counts), rank__isnull=False
        ).values_list("code", flat=True)
    )
    ranks = mapping.values.get("priority", {}) if mapping is not None else {}
    report.priorities.unmapped = {
        p for p in report.priorities.counts if p not in ranked and p.upper() not in ranks
    }
    words = mapping.values.get("status", {}) if mapping is not None else {}
    report.statuses.unmapped = {w for w in report.statuses.counts if w.upper() not in words}
    worded = set(
        Disposition.objects.filter(
            agency=agency, code__in=[d.upper() for d in report.dispositions.counts]
        ).values_list("code", flat=True)
    )
    cancelled = mapping.cancelled_dispositions if mapping is not None else frozenset()
    report.dispositions.unmapped = {
        d for d in report.dispositions.counts if d.upper() not in worded | cancelled
    }
    return report
