"""Re-apply an import run's quarantined rows under a corrected mapping, without the file.

Each row an import quarantined keeps its export row (encrypted) and its line. A corrected
mapping is bound to that row's own columns and the row converted again; its events go through
intake as history, exactly as a fresh import would send them. A line whose events all apply
now is resolved ("replayed"); a line still rejected keeps one open row per rejected event,
with the new reason, and the old rows are closed as superseded. Audited.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.db import transaction
from django.utils import timezone

from porchlight.audit.log import record
from porchlight.calls.importing.mapping import Mapping, MappingError
from porchlight.calls.importing.run import _replace_changed, quarantine_row
from porchlight.calls.intake import CONFLICT, REJECTED, Feed, ingest
from porchlight.calls.models import ImportRun, Quarantine
from porchlight.notify import pii


class ReapplyError(Exception):
    """Nothing can be re-applied; the message says why."""


@dataclass
class ReapplyResult:
    lines: int = 0  # quarantined lines read again
    applied: int = 0  # lines whose events all apply now
    still_rejected: int = 0
    reasons: list[tuple[int, str]] = field(default_factory=list)  # (line, why), still rejected


def reapply_run(
    run_id: int, mapping: Mapping, *, actor: Any = None, actor_label: str = ""
) -> ReapplyResult:
    """Convert the run's open quarantined rows again under `mapping`, and ingest them."""
    run = ImportRun.objects.select_related("agency").filter(pk=run_id).first()
    if run is None:
        raise ReapplyError(f"no import run {run_id}")
    if run.state == ImportRun.State.UNDONE:
        raise ReapplyError(f"import run {run_id} was undone; import the file again instead")
    held = list(
        Quarantine.objects.filter(
            import_run=run, state=Quarantine.State.OPEN, row_enc__isnull=False
        ).order_by("line", "id")
    )
    if not held:
        raise ReapplyError(f"import run {run_id} has no quarantined rows to re-apply")
    by_line: dict[int, list[Quarantine]] = defaultdict(list)
    rows: dict[int, dict[str, Any]] = {}
    for item in held:
        line = item.line or 0
        by_line[line].append(item)
        if line not in rows:
            rows[line] = orjson.loads(pii.decrypt(item.row_enc) or "{}")
    agency = run.agency
    feed = Feed(
        agency=agency,
        source=held[0].source,
        covered={agency.ori: agency},
        historical=True,
        import_run_id=run.pk,
    )
    result = ReapplyResult(lines=len(rows))
    events: list[Any] = []
    owner: list[int] = []
    notes: dict[int, list[str]] = {}
    for line, raw in rows.items():
        try:
            converter = mapping.bind([str(k) for k in raw], agency.time_zone)
        except MappingError as exc:
            notes[line] = [str(exc)]
            continue
        made, problems, _codes = converter.convert_coded(raw)
        if problems:
            notes[line] = list(problems)
        events.extend(made)
        owner.extend([line] * len(made))
    now = timezone.now()
    label = f"{mapping.name}:{mapping.digest[:12]}"
    with transaction.atomic():
        if events:
            _replace_changed(feed, events)
        outcomes, _ = ingest(feed, events, quarantine=False) if events else ([], None)
        rejected: dict[int, list[Any]] = defaultdict(list)
        for outcome in outcomes:
            if outcome.result in (REJECTED, CONFLICT):
                rejected[owner[outcome.index]].append(outcome)
        new: list[Quarantine] = []
        for line, items in by_line.items():
            ids = [i.pk for i in items]
            if line in notes and not any(o == line for o in owner):
                # The row gives no event under this mapping either: it stays as it was.
                result.still_rejected += 1
                result.reasons.append((line, "; ".join(notes[line])))
                continue
            if not rejected.get(line):
                Quarantine.objects.filter(pk__in=ids).update(
                    state=Quarantine.State.REPLAYED,
                    resolved_at=now,
                    resolution=f"re-applied under {label}"[:200],
                )
                result.applied += 1
                continue
            result.still_rejected += 1
            result.reasons.append((line, "; ".join(o.reason for o in rejected[line])))
            Quarantine.objects.filter(pk__in=ids).update(
                state=Quarantine.State.DISCARDED,
                resolved_at=now,
                resolution=f"superseded when re-applied under {label}"[:200],
            )
            new += [
                quarantine_row(feed, run, outcome, events[outcome.index], line, items[0].row_enc)
                for outcome in rejected[line]
            ]
        Quarantine.objects.bulk_create(new)
        record(
            "import.reapply",
            actor=actor,
            actor_label=actor_label,
            agency=agency,
            target=run,
            changes={
                "mapping": label,
                "lines": result.lines,
                "applied": result.applied,
                "still_rejected": result.still_rejected,
            },
        )
    return result
