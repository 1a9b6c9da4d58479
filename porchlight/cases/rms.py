"""RMS intake: case events from the records system, by API, import or drop folder.

The rules are CAD intake's, and so is much of the code (calls.intake: outcomes, NUL checks,
validation messages, ORI routing, the quarantine with its hourly cap, retries on a collision):

- idempotent on (agency, source, event id): the same id with the same content is a duplicate,
  with other content a conflict, recorded in the quarantine and not applied;
- a batch applies in RMS-time order whatever order it arrives in, and a case's status only
  moves forward (status.apply_status): an older event fills blanks and is logged, no more;
- a status code the agency has not mapped to a NIBRS term is quarantined with the reason,
  never guessed; staff map it and replay the event from the console's quarantine;
- anything invalid is quarantined whole, with its reason, in the answer and in the console.

RMS volumes are a few events a case, not CAD's thousands a minute, so events apply one by one
inside the batch's transaction; a batch is still one transaction, and its messages are planned
in it (updates.py), so a victim is told exactly what was committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from pydantic import ValidationError

from porchlight.agencies.models import Agency, Staff
from porchlight.calls import reasons
from porchlight.calls.intake import (
    APPLIED,
    CONFLICT,
    DUPLICATE,
    REJECTED,
    Feed,
    Outcome,
    _error_text,
    _has_nul,
    _quarantine,
    _retryable,
    content_hash,
)
from porchlight.cases import status as case_status
from porchlight.cases import updates
from porchlight.cases.contacts import email_contact, phone_contact
from porchlight.cases.models import Case, CaseIncident, RmsEvent, RmsStatus, Term, Victim
from porchlight.cases.open import CaseNumberTaken, language_of, open_case
from porchlight.cases.schemas import EVENT, RmsEventIn

_ATTEMPTS = 4


@dataclass
class _Item:
    index: int
    raw: Any
    event: RmsEventIn
    agency: Agency
    content_hash: str
    warnings: list[str] = field(default_factory=list)


def _reason(raw: Any) -> str | RmsEventIn:
    nul = _has_nul(raw)
    if nul is not None:
        return reasons.text("nul_byte", field=nul)
    if not isinstance(raw, dict):
        return "an event must be a JSON object"
    if "incident_number" in raw:
        return (
            "an RMS case event has no incident_number of its own: "
            "put the linked CAD incident numbers in incident_numbers"
        )
    try:
        return EVENT.validate_python(raw)
    except ValidationError as exc:
        return _error_text(exc)


def _id_of(raw: Any, key: str, size: int) -> str | None:
    if isinstance(raw, dict) and raw.get(key) is not None:
        return str(raw[key]).replace("\x00", "")[:size]
    return None


def ingest(
    feed: Feed, raw_events: Sequence[Any], *, quarantine: bool = True
) -> tuple[list[Outcome], list[Case]]:
    """Apply a batch of RMS events. Returns one outcome per event, in order, and the cases the
    batch changed. `quarantine=False` is for quarantine replay (the events are held already)."""
    outcomes: list[Outcome | None] = [None] * len(raw_events)
    rejects: list[tuple[Agency, Any, Outcome]] = []
    items: list[_Item] = []
    for index, raw in enumerate(raw_events):
        ev = _reason(raw)
        if isinstance(ev, str):
            outcome = Outcome(
                index, _id_of(raw, "event_id", 100), REJECTED, ev, _id_of(raw, "case_number", 40)
            )
            rejects.append((feed.agency, raw, outcome))
            outcomes[index] = outcome
            continue
        agency = feed.agency
        if ev.ori is not None and ev.ori != feed.agency.ori:
            routed = feed.covered.get(ev.ori)
            if routed is None:
                outcome = Outcome(
                    index, ev.event_id, REJECTED, f"ORI {ev.ori} is not covered by this key",
                    ev.case_number,
                )  # fmt: skip
                rejects.append((feed.agency, raw, outcome))
                outcomes[index] = outcome
                continue
            agency = routed
        items.append(_Item(index, raw, ev, agency, content_hash(raw)))
    # RMS-time order, whatever order they came in: the later status wins.
    items.sort(key=lambda i: (i.event.event_time, i.index))

    for attempt in range(1, _ATTEMPTS + 1):
        try:
            with transaction.atomic():
                batch_rejects = list(rejects)
                changed: dict[int, Case] = {}
                for item in items:
                    outcome, case = _apply(feed, item)
                    outcomes[item.index] = outcome
                    if outcome.result in (REJECTED, CONFLICT):
                        batch_rejects.append((item.agency, item.raw, outcome))
                    if case is not None:
                        changed[case.pk] = case
                if quarantine:
                    _quarantine(feed, batch_rejects)
            break
        except CaseNumberTaken:
            # The same new case in two batches in flight: the retry finds theirs.
            if attempt == _ATTEMPTS:
                raise
        except (IntegrityError, OperationalError) as exc:
            # The same new event id in two batches in flight: the retry sees theirs.
            if attempt == _ATTEMPTS or not _retryable(exc):
                raise
    return [o for o in outcomes if o is not None], list(changed.values())


def _outcome(item: _Item, result: str, reason: str) -> Outcome:
    ev = item.event
    return Outcome(item.index, ev.event_id, result, reason, ev.case_number, item.warnings)


def _apply(feed: Feed, item: _Item) -> tuple[Outcome, Case | None]:
    ev, agency = item.event, item.agency
    known = (
        RmsEvent.objects.filter(agency=agency, source=feed.source, event_id=ev.event_id)
        .only("content_hash")
        .first()
    )
    if known is not None:
        if known.content_hash == item.content_hash:
            return _outcome(item, DUPLICATE, "already applied"), None
        return _outcome(item, CONFLICT, "event id already applied with other content"), None

    mapped: RmsStatus | None = None
    if ev.status:
        mapped = (
            RmsStatus.objects.filter(agency=agency, code__in={ev.status, ev.status.upper()})
            .order_by("code")
            .first()
        )
        if mapped is None:
            return _outcome(
                item,
                REJECTED,
                f"RMS status code {ev.status!r} is not mapped to a NIBRS term; map it "
                "(Admin › RMS status codes) and replay this event",
            ), None

    case = Case.objects.filter(agency=agency, number=ev.case_number).first()
    new_victims: list[Victim] = []
    if case is None:
        case = open_case(
            agency,
            source=feed.source,
            number=ev.case_number,
            offense_code=ev.offense.code if ev.offense else "",
            offense=ev.offense.description if ev.offense else "",
            occurred_at=None,
            address="",
            lat=None,
            lon=None,
            incident_numbers=ev.incident_numbers,
            domestic_violence=bool(ev.domestic_violence),
            notify=False,
        )
        newer = True
    else:
        newer = case.status_at is None or ev.event_time >= case.status_at
        _link_incidents(case, ev.incident_numbers)
    _case_fields(case, ev, newer)
    new_victims = _victims(case, ev, item, newer)
    if new_victims:
        # Whoever hears of the case for the first time is told its number.
        updates.opened(case, [v for v in new_victims if v.opted_in])

    assigned = None
    if ev.detective is not None and newer:
        d = ev.detective
        assigned = case_status.assign(
            case, name=d.name, title=d.title, unit=d.unit, phone=d.phone, email=d.email,
            staff=_staff(agency, d.email), at=ev.event_time, source=feed.source,
        )  # fmt: skip
    if mapped is not None:
        # "Assigned" said with the detective's name already: no second text saying less.
        quiet = mapped.term == Term.ASSIGNED and assigned is not None and assigned.public
        moved = case_status.apply_status(
            case, mapped, at=ev.event_time, source=feed.source, event_id=ev.event_id,
            notify=not quiet,
        )  # fmt: skip
        if moved is None and not newer:
            item.warnings.append("older than the case's status in force: logged, not applied")
    RmsEvent.objects.create(
        agency=agency,
        source=feed.source,
        event_id=ev.event_id,
        content_hash=item.content_hash,
        case=case,
        event_time=ev.event_time,
        payload=_payload(item.raw),
    )
    return _outcome(item, APPLIED, ""), case


def _link_incidents(case: Case, numbers: list[str]) -> None:
    have = set(case.incidents.values_list("incident_number", flat=True))
    CaseIncident.objects.bulk_create(
        [
            CaseIncident(case=case, agency_id=case.agency_id, incident_number=n)
            for n in sorted(set(numbers) - have)
        ]
    )


def _case_fields(case: Case, ev: RmsEventIn, newer: bool) -> None:
    """A newer event overwrites the case's facts; an older one only fills blanks."""
    values: dict[str, Any] = {}
    if ev.offense is not None:
        values["offense_code"] = ev.offense.code
        values["offense"] = ev.offense.description
    if ev.domestic_violence is not None:
        values["domestic_violence"] = ev.domestic_violence
    if ev.report is not None:
        r = ev.report
        values.update(
            report_approved_at=r.approved_at,
            report_available_on=r.available_on,
            report_fee=r.fee,
            report_how=r.how,
        )
    changed = []
    for name, value in values.items():
        if value in (None, "") and name != "domestic_violence":
            continue
        current = getattr(case, name)
        if newer or current in (None, ""):
            if current != value:
                setattr(case, name, value)
                changed.append(name)
    if changed:
        case.updated = timezone.now()
        case.save(update_fields=[*changed, "updated"])


def _victims(case: Case, ev: RmsEventIn, item: _Item, newer: bool) -> list[Victim]:
    made: list[Victim] = []
    for n, given in enumerate(ev.victims):
        phone = phone_contact(case.agency, given.phone)
        email = email_contact(case.agency, given.email)
        if given.phone and phone is None:
            item.warnings.append(f"victims.{n}.phone is not a usable phone number and was ignored")
        if given.email and email is None:
            item.warnings.append(f"victims.{n}.email is not a usable address and was ignored")
        if phone is None and email is None:
            continue
        found = None
        for victim in case.victims.all():
            if (phone is not None and victim.phone_id == phone.pk) or (
                email is not None and victim.email_id == email.pk
            ):
                found = victim
                break
        language = language_of(case.agency, given.language) if given.language else None
        if found is None:
            made.append(
                Victim.objects.create(
                    case=case,
                    phone=phone,
                    email=email,
                    language=language or case.agency.default_language,
                    opted_in=given.opt_in,
                )
            )
        elif newer:
            found.phone = found.phone or phone
            found.email = found.email or email
            found.language = language or found.language
            found.opted_in = given.opt_in
            found.save(update_fields=["phone", "email", "language", "opted_in"])
    return made


def _staff(agency: Agency, email: str) -> Staff | None:
    """The detective as a staff member here, found by their email, when they are one."""
    if not email:
        return None
    user = get_user_model().objects.filter(email__iexact=email, staff__agency=agency).first()
    return getattr(user, "staff", None) if user is not None else None


def _payload(raw: dict[str, Any]) -> dict[str, Any]:
    """The event as logged: victims' phone numbers and emails are left out (they are Contacts,
    encrypted), the rest kept as sent."""
    out = dict(raw)
    if isinstance(out.get("victims"), list):
        out["victims"] = [
            {k: v for k, v in victim.items() if k not in ("phone", "email")}
            if isinstance(victim, dict)
            else victim
            for victim in out["victims"]
        ]
    return out
