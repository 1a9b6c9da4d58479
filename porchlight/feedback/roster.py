"""Who worked a call: the shift it fell in, and the officers in its units.

The roster (RosterEntry: day, shift, unit → officer) comes from two places:
- a CSV the agency uploads (`read_rows` / `apply_slice`, run a slice at a time by the console
  page so it can show its progress and resume);
- the CAD itself: a call's units carry their officers (`Call.units`), and `officers_for()`
  writes what it learns from them into the roster (source "cad"), so an agency without a
  roster export still gets one.
The roster wins over the CAD: when the roster has the unit for that shift, those officers
are the call's.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date

from porchlight.agencies.models import Agency
from porchlight.calls.models import Call
from porchlight.feedback.models import Officer, RosterEntry, RosterImport, Shift

# Rows applied per request of the import page.
SLICE = 200
COLUMNS = ("date", "shift", "unit", "badge", "name")


def shift_at(agency: Agency, when: datetime) -> tuple[Shift | None, date]:
    """The shift covering this instant on the agency's clock, and the day it started on (a
    night shift's early hours belong to the day before)."""
    local = timezone.localtime(when, agency.tz)
    for shift in Shift.objects.filter(agency=agency):
        if shift.covers(local.time()):
            wraps = shift.ends <= shift.starts
            day = (
                local.date() - timedelta(days=1)
                if wraps and local.time() < shift.ends
                else local.date()
            )
            return shift, day
    return None, local.date()


def officers_for(call: Call, shift: Shift | None, day: date) -> list[Officer]:
    """The officers of the call's units: from the roster when it has them, else from the CAD
    (recorded in the roster for next time)."""
    units = [str(u.get("id", "")) for u in call.units or [] if isinstance(u, dict) and u.get("id")]
    if not units:
        return []
    found: dict[int, Officer] = {}
    covered: set[str] = set()
    if shift is not None:
        for entry in RosterEntry.objects.filter(
            agency_id=call.agency_id, day=day, shift=shift, unit__in=units
        ).select_related("officer"):
            found[entry.officer.pk] = entry.officer
            covered.add(entry.unit)
    for unit in call.units or []:
        if not isinstance(unit, dict) or str(unit.get("id", "")) in covered:
            continue
        for person in unit.get("officers") or []:
            badge = str(person.get("id") or "").strip()
            if not badge:
                continue
            officer, _made = Officer.objects.get_or_create(
                agency_id=call.agency_id,
                badge=badge,
                defaults={"name": str(person.get("name") or "")[:120]},
            )
            found[officer.pk] = officer
            if shift is not None:
                RosterEntry.objects.get_or_create(
                    agency_id=call.agency_id,
                    day=day,
                    shift=shift,
                    unit=str(unit["id"])[:32],
                    officer=officer,
                    defaults={"source": RosterEntry.Source.CAD},
                )
    return list(found.values())


def safe_date(text: str) -> date | None:
    """YYYY-MM-DD, or None for anything else (including 2026-13-01, which Django's parser
    raises on)."""
    try:
        return parse_date(text.strip()[:10]) if text.strip() else None
    except ValueError:
        return None


# --- CSV import ------------------------------------------------------------------------------


class BadRoster(ValueError):
    """Why an uploaded roster cannot be read at all (shown on the page, 400)."""


def start_import(agency: Agency, name: str, raw: bytes, user: Any) -> RosterImport:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRoster("The file is not UTF-8 text.") from exc
    rows = list(csv.reader(io.StringIO(text)))
    if not text.strip() or not rows:
        raise BadRoster("The file is empty.")
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in COLUMNS[:4] if c not in header]
    if missing:
        raise BadRoster(f"Missing columns: {', '.join(missing)} (need {', '.join(COLUMNS)}).")
    return RosterImport.objects.create(
        agency=agency, file_name=name[:255], text=text, total=len(rows) - 1, created_by=user
    )


@dataclass
class Row:
    line: int
    day: date
    shift: str
    unit: str
    badge: str
    name: str


def _rows(run: RosterImport) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(run.text))
    reader.fieldnames = [h.strip().lower() for h in reader.fieldnames or []]
    return [
        (i + 2, {k: (v or "").strip() for k, v in r.items() if k}) for i, r in enumerate(reader)
    ]


def apply_slice(run_id: int) -> RosterImport:
    """Apply the next SLICE rows of an import, with its progress, in one transaction: a slice
    is all in or all out, and two pages asking at once apply it once (the row lock)."""
    with transaction.atomic():
        run = RosterImport.objects.select_for_update().get(pk=run_id)
        if run.finished is not None:
            return run
        shifts = {s.name.lower(): s for s in Shift.objects.filter(agency=run.agency)}
        rows = _rows(run)[run.done : run.done + SLICE]
        problems = list(run.problems)
        for line, r in rows:
            day = safe_date(r.get("date", ""))
            shift = shifts.get(r.get("shift", "").lower())
            unit, badge = r.get("unit", ""), r.get("badge", "")
            if day is None or shift is None or not unit or not badge:
                why = (
                    "date is not YYYY-MM-DD" if day is None
                    else f"no shift named {r.get('shift', '')!r}" if shift is None
                    else "unit and badge are required"
                )  # fmt: skip
                if len(problems) < 100:
                    problems.append(f"line {line}: {why}")
                continue
            officer, _ = Officer.objects.get_or_create(
                agency=run.agency, badge=badge[:64], defaults={"name": r.get("name", "")[:120]}
            )
            _, made = RosterEntry.objects.get_or_create(
                agency=run.agency,
                day=day,
                shift=shift,
                unit=unit[:32],
                officer=officer,
                defaults={"source": RosterEntry.Source.CSV},
            )
            run.added += int(made)
        run.done += len(rows)
        run.problems = problems
        if run.done >= run.total:
            run.finished = timezone.now()
        run.save(update_fields=["done", "added", "problems", "finished"])
    return run
