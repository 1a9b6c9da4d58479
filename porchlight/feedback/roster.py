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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date

from porchlight.agencies.models import Agency
from porchlight.calls import bulk
from porchlight.calls.models import Call
from porchlight.feedback.models import Officer, RosterEntry, RosterImport, Shift

# Rows applied per request of the import page.
SLICE = 200
COLUMNS = ("date", "shift", "unit", "badge", "name")


def shift_at(agency: Agency, when: datetime) -> tuple[Shift | None, date]:
    """The shift covering this instant on the agency's clock, and the day it started on (a
    night shift's early hours belong to the day before)."""
    return shift_in(list(Shift.objects.filter(agency=agency)), agency, when)


def shift_in(shifts: Sequence[Shift], agency: Agency, when: datetime) -> tuple[Shift | None, date]:
    """`shift_at()` over the agency's shifts already read (in Shift's order), for a batch."""
    local = timezone.localtime(when, agency.tz)
    for shift in shifts:
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
    (ids,) = officer_ids_for([(call, shift, day)])
    return list(Officer.objects.filter(pk__in=ids)) if ids else []


# A roster slot: (agency, day, shift, unit).
Slot = tuple[int, date, int, str]


def officer_ids_for(items: Sequence[tuple[Call, Shift | None, date]]) -> list[list[int]]:
    """`officers_for()` for many calls at once, in order, with the same result as calling it
    for each in turn (a call's CAD officers, recorded in the roster, are the roster of the
    next call of the same unit and shift): the roster read once, the CAD's officers made in
    one INSERT and read back in one query, the roster's new entries in one INSERT. Returns
    each call's officer ids."""
    units_of = [
        [str(u.get("id", "")) for u in c.units or [] if isinstance(u, dict) and u.get("id")]
        for c, _shift, _day in items
    ]
    # The roster as it is, for the slots these calls could read.
    slots = {
        (c.agency_id, day, shift.pk, unit)
        for (c, shift, day), units in zip(items, units_of, strict=True)
        if shift is not None
        for unit in units
    }
    roster: dict[Slot, list[int | tuple[int, str]]] = {}
    if slots:
        for agency_id, day, shift_id, unit, officer_id in (
            RosterEntry.objects.filter(
                agency_id__in={s[0] for s in slots},
                day__in={s[1] for s in slots},
                shift_id__in={s[2] for s in slots},
                unit__in={s[3] for s in slots},
            )
            .order_by()
            .values_list("agency_id", "day", "shift_id", "unit", "officer_id")
        ):
            if (agency_id, day, shift_id, unit) in slots:
                roster.setdefault((agency_id, day, shift_id, unit), []).append(officer_id)

    # Each call in turn, against the roster as the calls before it left it. An officer the
    # CAD names is (agency, badge) until the officers are written.
    found_of: list[list[int | tuple[int, str]]] = []
    badges: dict[tuple[int, str], str] = {}  # (agency, badge) → name, the first one seen
    entries: dict[tuple[Slot, tuple[int, str]], None] = {}  # the CAD's roster entries
    for (call, shift, day), units in zip(items, units_of, strict=True):
        found: dict[int | tuple[int, str], None] = {}
        if not units:
            found_of.append([])
            continue
        covered: set[str] = set()
        if shift is not None:
            for unit in units:
                officers = roster.get((call.agency_id, day, shift.pk, unit))
                if officers:
                    found.update(dict.fromkeys(officers))
                    covered.add(unit)
        for unit in call.units or []:
            if not isinstance(unit, dict) or str(unit.get("id", "")) in covered:
                continue
            for person in unit.get("officers") or []:
                badge = str(person.get("id") or "").strip()
                if not badge:
                    continue
                who = (call.agency_id, badge)
                badges.setdefault(who, str(person.get("name") or "")[:120])
                found[who] = None
                if shift is not None:
                    slot = (call.agency_id, day, shift.pk, str(unit["id"])[:32])
                    listed = roster.setdefault(slot, [])
                    if who not in listed:
                        listed.append(who)
                        entries[(slot, who)] = None
        found_of.append(list(found))
    if not badges:
        return [[o for o in listed if isinstance(o, int)] for listed in found_of]

    # get_or_create, for all of them: an officer that exists keeps its name.
    bulk.insert(
        Officer,
        ["agency", "badge", "name", "email", "email_commendations"],
        [[agency_id, badge, name, "", False] for (agency_id, badge), name in badges.items()],
        ignore_conflicts=True,
    )
    ids = {(agency_id, badge): pk for agency_id, badge, pk in _officer_ids(badges)}
    written: dict[tuple[Any, ...], None] = {}
    for (agency_id, day, shift_id, unit), who in entries:
        written[(agency_id, day, shift_id, unit, ids[who])] = None
    bulk.insert(
        RosterEntry,
        ["agency", "day", "shift", "unit", "officer", "source"],
        [[*key, RosterEntry.Source.CAD] for key in written],
        ignore_conflicts=True,
    )
    out = []
    for listed in found_of:
        pks = [o if isinstance(o, int) else ids[o] for o in listed]
        out.append(list(dict.fromkeys(pks)))
    return out


def _officer_ids(badges: dict[tuple[int, str], str]) -> list[tuple[int, str, int]]:
    """(agency, badge, id) of the officers of these (agency, badge) pairs (and of other
    pairs of the same agencies and badges). On PostgreSQL in SQL written once, so that the
    officers' held insert (calls/bulk.py, intake's pipeline) goes with it in one round trip."""
    agencies, numbers = {a for a, _ in badges}, {b for _, b in badges}
    if connection.vendor == "postgresql":
        return bulk.fetch_pg(_OFFICERS_SQL, [list(agencies), list(numbers)])
    return list(
        Officer.objects.filter(agency_id__in=agencies, badge__in=numbers)
        .order_by()
        .values_list("agency_id", "badge", "pk")
    )


_OFFICERS_SQL = (
    "SELECT agency_id, badge, id FROM feedback_officer "
    "WHERE agency_id = ANY(%s) AND badge = ANY(%s)"
)


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
