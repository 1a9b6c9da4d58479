"""The demo's cases: an RMS feed's worth of cases with detectives, victims, notes and a
domestic-violence case whose victim reads the Family Code 6228 free-copy steps. Seeded once,
through the same paths as real ones (RMS intake, open_case, the console's functions)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from porchlight.agencies.models import Agency
from porchlight.calls.intake import Feed
from porchlight.cases import rms, updates
from porchlight.cases.defaults import case_settings
from porchlight.cases.models import Case, CaseEvent, EventKind, RmsStatus, Term
from porchlight.cases.open import open_case

SOURCE = "rms-demo"
CODES = {
    "OPN": (Term.OPEN, {}),
    "ASG": (Term.ASSIGNED, {}),
    "CBA": (Term.CLEARED_ARREST, {
        "en": "An arrest was made. Your case is closed; the District Attorney's office may "
              "contact you.",
        "es": "Se hizo un arresto. Su caso está cerrado; la Fiscalía puede comunicarse con usted.",
    }),
    "EXA": (Term.EXCEPTIONAL_A, {}), "EXB": (Term.EXCEPTIONAL_B, {}),
    "EXC": (Term.EXCEPTIONAL_C, {}), "EXD": (Term.EXCEPTIONAL_D, {}),
    "EXE": (Term.EXCEPTIONAL_E, {}),
    "UNF": (Term.UNFOUNDED, {}),
    "SUS": (Term.SUSPENDED, {
        "en": "Your case is inactive until new leads come in. Call your detective if you learn "
              "anything new.",
        "es": "Su caso está inactivo hasta que haya nuevas pistas. Llame a su detective si sabe "
              "algo nuevo.",
    }),
    "CLS": (Term.CLOSED, {}),
}  # fmt: skip

LOPEZ = {"name": "Maria Lopez", "title": "Det.", "unit": "Property Crimes",
         "phone": "661-555-0142", "email": "mlopez@bakersfieldpd.example.org"}  # fmt: skip
RUIZ = {"name": "Ana Ruiz", "title": "Det.", "unit": "Family Violence",
        "phone": "661-555-0157", "email": "aruiz@bakersfieldpd.example.org"}  # fmt: skip


def _at(now: datetime, days: float) -> str:
    return (now - timedelta(days=days)).isoformat(timespec="seconds")


def _events(now: datetime) -> list[dict[str, Any]]:
    report = {"available_on": (now - timedelta(days=3)).date().isoformat(), "fee": "15.00",
              "how": "Records counter, 1601 Truxtun Ave, Mon-Fri 8 AM-5 PM"}  # fmt: skip
    return [
        # A car break-in: assigned, then inactive for want of leads.
        {"event_id": "demo-1", "case_number": "BPD26-004321", "event_time": _at(now, 6),
         "status": "ASG", "offense": {"code": "23F", "description": "Theft from motor vehicle"},
         "detective": LOPEZ, "report": report,
         "victims": [{"phone": "+16615550181", "language": "es"}]},
        {"event_id": "demo-2", "case_number": "BPD26-004321", "event_time": _at(now, 2),
         "status": "SUS"},
        # A burglary cleared by an arrest.
        {"event_id": "demo-3", "case_number": "BPD26-004388", "event_time": _at(now, 5),
         "status": "ASG", "offense": {"code": "220", "description": "Burglary, residence"},
         "detective": LOPEZ, "report": report,
         "victims": [{"email": "j.nguyen@example.org", "language": "en"}]},
        {"event_id": "demo-4", "case_number": "BPD26-004388", "event_time": _at(now, 1),
         "status": "CBA"},
        # Domestic violence: the victim's report copy is free under Family Code 6228.
        {"event_id": "demo-5", "case_number": "BPD26-004402", "event_time": _at(now, 4),
         "status": "ASG", "offense": {"code": "13B", "description": "Simple assault"},
         "domestic_violence": True, "detective": RUIZ,
         "report": {**report, "approved_at": _at(now, 3)},
         "victims": [{"phone": "+16615550182", "language": "en"}]},
        # An exceptional clearance: the victim reads the agency's words, not the reason.
        {"event_id": "demo-6", "case_number": "BPD26-004415", "event_time": _at(now, 3),
         "status": "EXB", "offense": {"code": "23H", "description": "Theft, all other"},
         "victims": [{"email": "r.patel@example.org", "language": "en"}]},
    ]  # fmt: skip


def seed(agency: Agency, now: datetime | None = None) -> int:
    """Seed the demo's cases once; returns how many cases the agency has."""
    if Case.objects.filter(agency=agency, source=SOURCE).exists():
        return Case.objects.filter(agency=agency).count()
    now = now or timezone.now()
    settings = case_settings(agency)
    settings.copy_where = "Records counter, 1601 Truxtun Ave"
    settings.copy_hours = "Mon-Fri 8 AM-5 PM"
    settings.copy_fee = Decimal("15.00")
    settings.save()
    for code, (term, words) in CODES.items():
        RmsStatus.objects.get_or_create(
            agency=agency, code=code, defaults={"term": term, "wording": words}
        )
    feed = Feed(agency=agency, source=SOURCE, covered={agency.ori: agency})
    rms.ingest(feed, _events(now))
    # A public note the victim got, and a private one only staff see.
    car = Case.objects.get(agency=agency, number="BPD26-004321")
    note = CaseEvent.objects.create(
        case=car, kind=EventKind.NOTE, public=True, source="console",
        at=now - timedelta(days=2, hours=1),
        text="We checked the cameras on 19th Street; nothing usable. I will call if that changes.",
    )  # fmt: skip
    updates.note(car, note)
    dv = Case.objects.get(agency=agency, number="BPD26-004402")
    CaseEvent.objects.create(
        case=dv, kind=EventKind.NOTE, public=False, source="console",
        at=now - timedelta(days=3), text="Emergency protective order served.",
    )  # fmt: skip
    # A report filed online, numbered by Porchlight.
    open_case(
        agency, source="online", offense_code="290", offense="Vandalism",
        occurred_at=now - timedelta(days=1), address="2300 block of Chester Ave",
        lat=35.3801, lon=-119.0188, reporter_email="k.moore@example.org",
    )  # fmt: skip
    return Case.objects.filter(agency=agency).count()
