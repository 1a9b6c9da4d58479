"""The case on the track page (calls/track.py): after the call's timeline, the case its
incident is linked to, as a victim may read it: the case number, the public timeline in the
agency's words, the detective's contact, how to get the report, and victims' rights.

Never the offense, the NIBRS reason, a note's text (the page is a link that can be
forwarded; notes go to the victim's own phone), or anything about anyone else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from porchlight.cases import wording
from porchlight.cases.defaults import case_settings
from porchlight.cases.models import Case, EventKind, RmsStatus
from porchlight.cases.updates import detective_words

LABELS: dict[str, Promise] = {
    EventKind.OPENED: _("Report taken"),
    EventKind.ASSIGNED: _("Detective assigned"),
    EventKind.STATUS: _("Status update"),
    EventKind.CLOSED: _("Case closed"),
}


@dataclass
class Entry:
    label: str
    at: datetime
    words: str


def case_for(agency_id: int, incident_number: str) -> Case | None:
    return (
        Case.objects.select_related("agency")
        .filter(incidents__agency_id=agency_id, incidents__incident_number=incident_number)
        .order_by("-created")
        .first()
    )


def section(call: Any, language: str) -> dict[str, Any] | None:
    """The track page's case section for a call, or None when no case is linked to it."""
    case = case_for(call.agency_id, call.incident_number)
    if case is None:
        return None
    settings = case_settings(case.agency)
    codes = {s.code: s for s in RmsStatus.objects.filter(agency_id=case.agency_id)}
    entries = []
    with translation.override(language):
        for event in case.events.filter(public=True, kind__in=list(LABELS)).order_by("at", "id"):
            words = ""
            if event.kind in (EventKind.STATUS, EventKind.CLOSED):
                words = wording.term_words(event.term, language, codes.get(event.rms_status))
            elif event.kind == EventKind.ASSIGNED:
                words = detective_words(case)
            entries.append(Entry(str(LABELS[event.kind]), event.at, words))
        return {
            "number": case.number,
            "status": wording.status_words(case, language, codes.get(case.rms_status)),
            "closed": case.is_closed,
            "entries": entries,
            "detective": detective_words(case),
            "detective_unit": case.detective_unit,
            "detective_phone": case.detective_phone,
            "detective_email": case.detective_email,
            "copy": wording.copy_steps(case, language, settings),
            "rights": wording.rights(case.agency, language, settings),
        }
