"""A case's status: the one place it changes, from the RMS (intake) or a detective (console).

Statuses only move forward by the RMS's own time: an event older than the status in force is
logged in the timeline's history and changes nothing, so a feed that delivers out of order
never sends a victim backwards. A status whose NIBRS term ends a case goes through `close()`,
the one way a case closes; a later, newer status that does not end it reopens the case.

What the victim is told is the agency's words for the status (wording.status_words), planned
through the notification engine in the same transaction (updates.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from porchlight.cases import updates
from porchlight.cases.models import CLOSING_TERMS, Case, CaseEvent, EventKind, RmsStatus, Term
from porchlight.feedback import invite as feedback


def _event(case: Case, kind: str, at: datetime, **fields: Any) -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=kind, at=at, **fields)


def apply_status(
    case: Case,
    status: RmsStatus,
    *,
    at: datetime,
    source: str,
    actor: Any = None,
    event_id: str = "",
    notify: bool = True,
) -> CaseEvent | None:
    """Move the case to an agency status code (already mapped: `status` is its RmsStatus row).
    Returns the timeline entry when the status changed, None when it did not (the same status,
    or an event older than the one in force)."""
    if status.agency_id != case.agency_id:
        raise ValueError("the status code belongs to another agency")
    with transaction.atomic():
        if case.status_at is not None and at < case.status_at:
            _event(
                case, EventKind.RMS, at, rms_status=status.code, term=status.term, source=source,
                author=actor, text="older than the status in force: history only",
            )  # fmt: skip
            return None
        if status.code == case.rms_status and status.term == case.term:
            return None
        if status.term in CLOSING_TERMS:
            return close(
                case, term=status.term, rms_status=status.code, at=at, source=source,
                actor=actor, notify=notify, status=status,
            )  # fmt: skip
        case.rms_status, case.term, case.status_at = status.code, status.term, at
        case.closed_at = None  # a newer status that does not end the case reopens it
        case.updated = timezone.now()
        case.save(update_fields=["rms_status", "term", "status_at", "closed_at", "updated"])
        event = _event(
            case, EventKind.STATUS, at, public=True, rms_status=status.code, term=status.term,
            source=source, author=actor,
        )  # fmt: skip
        if notify:
            updates.status_changed(case, event, status)
        return event


def close(
    case: Case,
    *,
    term: str,
    at: datetime,
    source: str,
    rms_status: str = "",
    actor: Any = None,
    notify: bool = True,
    status: RmsStatus | None = None,
) -> CaseEvent | None:
    """Close the case with a closing NIBRS term: the one way a case closes.

    Records the closing entry, plans the closing update (the agency's words for the status and
    how to get the report) for every opted-in victim, and returns the entry; None when the case
    was already closed with this term (a replayed event). `status` is the agency's RmsStatus
    for `rms_status` when the caller has it (saves a query)."""
    if term not in CLOSING_TERMS:
        raise ValueError(f"{term!r} does not close a case")
    with transaction.atomic():
        if case.closed_at is not None and case.term == term and case.rms_status == rms_status:
            return None
        case.rms_status, case.term, case.status_at = rms_status, Term(term), at
        case.closed_at = at
        case.updated = timezone.now()
        case.save(update_fields=["rms_status", "term", "status_at", "closed_at", "updated"])
        event = _event(
            case, EventKind.CLOSED, at, public=True, rms_status=rms_status, term=term,
            source=source, author=actor,
        )  # fmt: skip
        if notify:
            updates.closed(case, event, status)
            feedback.after_case_closed(case)  # the survey invitations, same transaction
        return event


def assign(
    case: Case,
    *,
    name: str,
    at: datetime,
    source: str,
    title: str = "",
    unit: str = "",
    phone: str = "",
    email: str = "",
    staff: Any = None,
    actor: Any = None,
    notify: bool = True,
) -> CaseEvent | None:
    """Assign the case to a detective (as the RMS names them; `staff` when they work here).
    Returns the timeline entry, or None when nothing about the assignment changed."""
    new = {
        "detective_name": name.strip()[:120],
        "detective_title": title.strip()[:60],
        "detective_unit": unit.strip()[:120],
        "detective_phone": phone.strip()[:32],
        "detective_email": email.strip()[:254],
    }
    with transaction.atomic():
        same = all(getattr(case, k) == v for k, v in new.items())
        if same and (staff is None or case.detective_id == staff.pk):
            return None
        # A new detective is news for the victim; a corrected phone number alone is not.
        renamed = case.detective_name != new["detective_name"]
        for k, v in new.items():
            setattr(case, k, v)
        if staff is not None:
            case.detective = staff
        case.updated = timezone.now()
        case.save(update_fields=[*new, "detective", "updated"])
        event = _event(case, EventKind.ASSIGNED, at, public=renamed, source=source, author=actor)
        if notify and renamed and new["detective_name"]:
            updates.assigned(case, event)
        return event


def set_term(
    case: Case, term: str, *, at: datetime, source: str, actor: Any = None
) -> CaseEvent | None:
    """A status set in Porchlight (an agency without an RMS feed): the NIBRS term itself, and
    victims read Porchlight's words for it. A closing term goes through `close()`."""
    if term not in Term.values:
        raise ValueError(f"unknown term {term!r}")
    if term in CLOSING_TERMS:
        return close(case, term=term, at=at, source=source, actor=actor)
    with transaction.atomic():
        if term == case.term and case.closed_at is None:
            return None
        case.rms_status, case.term, case.status_at = "", Term(term), at
        case.closed_at = None
        case.updated = timezone.now()
        case.save(update_fields=["rms_status", "term", "status_at", "closed_at", "updated"])
        event = _event(
            case, EventKind.STATUS, at, public=True, term=term, source=source, author=actor
        )
        updates.status_changed(case, event, None)
        return event
