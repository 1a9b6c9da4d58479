"""The retention purge: caller and reporter personal data goes N days after the call clears or
the case closes (RetentionSettings, 180 by default), unless a litigation hold or the agency's
records schedule says to keep it longer.

What goes (per record, in one transaction, with a `Purge` row that makes it happen once):
- the contacts' phone numbers and email addresses (`notify.Contact`: the address is dropped
  and the lookup hash replaced by a tombstone, so the purged history can no longer be found
  by the number, and a later call from the same number starts a fresh contact); texts they
  sent us (`Inbound` bodies); the dev inbox's copy of the address;
- in the CAD event log and the quarantine rows of the call, the caller block (names and anything else a CAD
  sent about the caller) and the street address, cut to its hundred block; the call's own
  address likewise, and its point rounded to about 100 m;
- a case's online report: the description and the typed answers (free text), the address cut
  to its hundred block; the RMS events' people blocks;
- survey comments about the call or case: phone numbers and emails in them are hidden
  (feedback.redact), the words and themes stay.

What stays, for statistics: the call's type, priority, times, status, disposition, beat and
district; the case's offense, status, times and detective; the messages' triggers, states,
times and bodies (bodies never hold a contact's address); consent records and opt-outs (keyed
by a hash, needed to keep honouring a STOP); the audit log.

A contact shared by several records (one number calls twice) is purged only when every record
it belongs to is due and none is held; a resident's own contact (alerts) is never purged here.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone, translation

from porchlight.agencies.models import Agency
from porchlight.calls.models import FINAL, Call, Event, Quarantine
from porchlight.cases.models import Case, CaseIncident, CopyRequest, OptIn, RmsEvent, Victim
from porchlight.feedback.models import Answer, Invitation
from porchlight.feedback.redact import redact
from porchlight.geo.blocks import hundred_block
from porchlight.notify import pii
from porchlight.notify.models import Contact, DevMessage, Inbound
from porchlight.operations import leases
from porchlight.operations.models import (
    LegalHold,
    Purge,
    RecordKind,
    RecordsSchedule,
    RetentionSettings,
)
from porchlight.reports.models import Report

log = logging.getLogger(__name__)

LEASE = "operations.purge"
# Keys of an event payload that name or reach a person: dropped whole, at any depth.
PERSON_KEYS = frozenset(
    {
        "caller", "callers", "reporter", "reporting_party", "victim", "victims", "contact",
        "contacts", "person", "persons", "people", "name", "first_name", "last_name", "phone",
        "email", "dob", "date_of_birth",
    }
)  # fmt: skip
# A caller block's keys that are not personal and that intake's rules read again.
CALLER_KEEP = ("language", "do_not_contact")
ADDRESS_KEYS = frozenset({"address", "street_address", "location_address"})


def block_of(address: str) -> str:
    """An address cut to its hundred block ("1501 Truxtun Ave" → "1500 block of Truxtun Ave");
    "" when it does not start with a house number (it may be a name, or a landmark)."""
    match = re.match(r"\s*(\d+)[A-Za-z]?\s+(.+)", address or "")
    if not match:
        return ""
    with translation.override("en"):
        return hundred_block(match.group(1), match.group(2).strip())


def scrub(value: Any) -> Any:
    """A payload without its people and with addresses cut to the hundred block."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            name = str(key).lower()
            if name == "caller" and isinstance(item, dict):
                out[key] = {k: item[k] for k in CALLER_KEEP if k in item}
            elif name in PERSON_KEYS:
                continue
            elif name in ADDRESS_KEYS and isinstance(item, str):
                out[key] = block_of(item)
            else:
                out[key] = scrub(item)
        return out
    if isinstance(value, list):
        return [scrub(item) for item in value]
    return value


# --- Policy: what is due, what blocks it ------------------------------------------------------


@dataclass
class Policy:
    agency: Agency
    now: datetime
    days: int
    schedule: dict[str, int]

    def keep_days(self, kind: str) -> int:
        return max(self.days, self.schedule.get(kind, 0))

    def cutoff(self, kind: str) -> datetime:
        return self.now - timedelta(days=self.keep_days(kind))


def policy(agency: Agency, now: datetime) -> Policy:
    schedule = dict(RecordsSchedule.objects.filter(agency=agency).values_list("kind", "min_days"))
    return Policy(agency, now, RetentionSettings.days_for(agency.pk), schedule)


@dataclass
class Held:
    """Records and contacts an active hold covers. A hold on a case also covers the calls
    linked to it, and a hold on a call the cases it is linked to."""

    calls: set[int] = field(default_factory=set)
    cases: set[int] = field(default_factory=set)
    contacts: set[int] = field(default_factory=set)


def held(agency: Agency) -> Held:
    out = Held()
    for call_id, case_id, contact_id in LegalHold.objects.filter(
        agency=agency, released_at__isnull=True
    ).values_list("call_id", "case_id", "contact_id"):
        if call_id:
            out.calls.add(call_id)
        if case_id:
            out.cases.add(case_id)
        if contact_id:
            out.contacts.add(contact_id)
    if out.cases:
        numbers = CaseIncident.objects.filter(case_id__in=out.cases).values("incident_number")
        out.calls |= set(
            Call.objects.filter(agency=agency, incident_number__in=numbers).values_list(
                "pk", flat=True
            )
        )
    if out.calls:
        incidents = Call.objects.filter(pk__in=out.calls).values("incident_number")
        out.cases |= set(
            CaseIncident.objects.filter(agency=agency, incident_number__in=incidents).values_list(
                "case_id", flat=True
            )
        )
    return out


def _ended_before(cutoff: datetime) -> Q:
    return Q(status__in=FINAL) & (
        Q(cleared_at__lte=cutoff) | Q(cleared_at__isnull=True, cancelled_at__lte=cutoff)
    )


def _not_purged(agency: Agency, kind: str) -> Exists:
    return Exists(Purge.objects.filter(agency=agency, kind=kind, record_id=OuterRef("pk")))


def calls_past(p: Policy, *, days: int | None = None) -> QuerySet[Call]:
    """Calls ended longer ago than the policy keeps them (or `days`), not yet purged."""
    cutoff = p.cutoff(RecordKind.CALL) if days is None else p.now - timedelta(days=days)
    return (
        Call.objects.filter(agency=p.agency)
        .filter(_ended_before(cutoff))
        .exclude(_not_purged(p.agency, RecordKind.CALL))
    )


def cases_past(p: Policy, *, days: int | None = None) -> QuerySet[Case]:
    if days is None:
        report_cut = p.cutoff(RecordKind.REPORT)
        qs = Case.objects.filter(agency=p.agency, closed_at__lte=p.cutoff(RecordKind.CASE))
        # A case opened by an online report also keeps to the reports' schedule.
        qs = qs.filter(Q(online_report__isnull=True) | Q(closed_at__lte=report_cut))
    else:
        qs = Case.objects.filter(agency=p.agency, closed_at__lte=p.now - timedelta(days=days))
    return qs.exclude(_not_purged(p.agency, RecordKind.CASE))


def blocked_contacts(p: Policy, contact_ids: set[int], hold: Held) -> set[int]:
    """The contacts among `contact_ids` that something still needs."""
    if not contact_ids:
        return set()
    blocked = contact_ids & hold.contacts
    call_cut = p.cutoff(RecordKind.CALL)
    for call_id, phone, email, ended in (
        Call.objects.filter(Q(caller_phone__in=contact_ids) | Q(caller_email__in=contact_ids))
        .annotate(ended=ExpressionWrapper(_ended_before(call_cut), output_field=BooleanField()))
        .values_list("pk", "caller_phone_id", "caller_email_id", "ended")
    ):
        if not ended or call_id in hold.calls:
            blocked |= {phone, email} & contact_ids
    due_cases = set(cases_past(p).values_list("pk", flat=True)) | set(
        Purge.objects.filter(agency=p.agency, kind=RecordKind.CASE).values_list(
            "record_id", flat=True
        )
    )
    for model, names in ((Victim, ("phone", "email")), (CopyRequest, ("phone", "email"))):
        q = Q()
        for name in names:
            q |= Q(**{f"{name}__in": contact_ids})
        for row in model.objects.filter(q).values_list("case_id", *(f"{n}_id" for n in names)):
            case_id, *ids = row
            if case_id is None or case_id not in due_cases or case_id in hold.cases:
                blocked |= set(ids) & contact_ids
    for case_id, phone in OptIn.objects.filter(phone__in=contact_ids).values_list(
        "case_id", "phone_id"
    ):
        if case_id not in due_cases or case_id in hold.cases:
            blocked.add(phone)
    from porchlight.alerts.models import ResidentContact

    blocked |= set(
        ResidentContact.objects.filter(contact__in=contact_ids).values_list("contact_id", flat=True)
    )
    return blocked


# --- The purge --------------------------------------------------------------------------------


def purge_contacts(ids: set[int], now: datetime) -> int:
    """Drop the addresses of these contacts and what they texted us. Returns contacts purged."""
    if not ids:
        return 0
    n = 0
    for contact in Contact.objects.select_for_update().filter(pk__in=ids, purged_at__isnull=True):
        contact.address_enc = None
        # A tombstone instead of the keyed hash: the history can no longer be found by the
        # number, and a new call from it makes a new contact (a purged one would never be
        # texted again). Opt-outs and the consent log keep the hash: a STOP is still honoured.
        contact.address_hash = f"purged:{secrets.token_hex(24)}"
        contact.purged_at = now
        contact.save(update_fields=["address_enc", "address_hash", "purged_at"])
        n += 1
    Inbound.objects.filter(contact__in=ids).update(address_enc=None, body_enc=pii.encrypt(""))
    DevMessage.objects.filter(outbox__contact__in=ids).update(to="")
    return n


def _scrub_quarantine(agency: Agency, incident_number: str) -> int:
    n = 0
    # Open rows too: the call is over and past its time; a replay still applies the event,
    # without the caller.
    for item in Quarantine.objects.filter(agency=agency, incident_number=incident_number):
        item.raw_enc = pii.encrypt(orjson.dumps(scrub(item.raw)).decode())
        item.row_enc = None
        item.save(update_fields=["raw_enc", "row_enc"])
        n += 1
    return n


def _redact_answers(invitations: QuerySet[Invitation]) -> int:
    n = 0
    for answer in Answer.objects.filter(response__invitation__in=invitations).exclude(text=""):
        cleaned = redact(answer.text)
        if cleaned != answer.text:
            Answer.objects.filter(pk=answer.pk).update(text=cleaned)
            n += 1
    return n


def purge_call(p: Policy, call: Call, hold: Held) -> Purge | None:
    """One call's personal data, once. None when it was purged already or is held."""
    if call.pk in hold.calls:
        return None
    fields: list[str] = []
    try:
        with transaction.atomic():
            record = Purge.objects.create(
                agency=p.agency,
                kind=RecordKind.CALL,
                record_id=call.pk,
                label=call.incident_number,
                purged_at=p.now,
            )
            ids = {c for c in (call.caller_phone_id, call.caller_email_id) if c}
            record.contacts = purge_contacts(ids - blocked_contacts(p, ids, hold), p.now)
            if record.contacts:
                fields.append("contacts")
            block = block_of(call.address)
            if call.address != block or call.lat is not None:
                Call.objects.filter(pk=call.pk).update(
                    address=block,
                    lat=round(call.lat, 3) if call.lat is not None else None,
                    lon=round(call.lon, 3) if call.lon is not None else None,
                )
                fields.append("address")
            events = 0
            for event in Event.objects.filter(call=call).only("pk", "payload"):
                cleaned = scrub(event.payload)
                if cleaned != event.payload:
                    Event.objects.filter(pk=event.pk).update(payload=cleaned)
                    events += 1
            if events:
                fields.append("event payloads")
            if _scrub_quarantine(p.agency, call.incident_number):
                fields.append("quarantine")
            if _redact_answers(Invitation.objects.filter(call=call)):
                fields.append("survey comments")
            record.fields = fields
            record.save(update_fields=["contacts", "fields"])
            return record
    except IntegrityError:
        return None  # another run purged it first


def purge_case(p: Policy, case: Case, hold: Held) -> Purge | None:
    if case.pk in hold.cases:
        return None
    fields: list[str] = []
    try:
        with transaction.atomic():
            record = Purge.objects.create(
                agency=p.agency,
                kind=RecordKind.CASE,
                record_id=case.pk,
                label=case.number,
                purged_at=p.now,
            )
            ids: set[int] = set()
            for victim in Victim.objects.filter(case=case):
                ids |= {c for c in (victim.phone_id, victim.email_id) if c}
            for copy in CopyRequest.objects.filter(case=case):
                ids |= {c for c in (copy.phone_id, copy.email_id) if c}
            ids |= set(OptIn.objects.filter(case=case).values_list("phone_id", flat=True))
            record.contacts = purge_contacts(ids - blocked_contacts(p, ids, hold), p.now)
            if record.contacts:
                fields.append("contacts")
            report = Report.objects.filter(case=case).first()
            if report is not None:
                Report.objects.filter(pk=report.pk).update(
                    description="",
                    answers={},
                    address=block_of(report.address),
                    lat=round(report.lat, 3) if report.lat is not None else None,
                    lon=round(report.lon, 3) if report.lon is not None else None,
                )
                fields.append("online report")
            block = block_of(case.address)
            if case.address != block:
                Case.objects.filter(pk=case.pk).update(address=block)
                fields.append("address")
            for event in RmsEvent.objects.filter(case=case).only("pk", "payload"):
                cleaned = scrub(event.payload)
                if cleaned != event.payload:
                    RmsEvent.objects.filter(pk=event.pk).update(payload=cleaned)
                    if "rms payloads" not in fields:
                        fields.append("rms payloads")
            if _redact_answers(_case_invitations(p.agency, case)):
                fields.append("survey comments")
            record.fields = fields
            record.save(update_fields=["contacts", "fields"])
            return record
    except IntegrityError:
        return None


def _case_invitations(agency: Agency, case: Case) -> QuerySet[Invitation]:
    # feedback/invite.py names a case's invitations "case:<number>:<victim>" and
    # "report:<number>:<victim>".
    return Invitation.objects.filter(agency=agency).filter(
        Q(reference__startswith=f"case:{case.number}:")
        | Q(reference__startswith=f"report:{case.number}:")
    )


def leftover_contacts(p: Policy, hold: Held) -> set[int]:
    """Contacts of purged records that were kept then (a hold on the contact, or another record
    still needed them) and that nothing needs now. The database does the join: the Purge rows
    are never read into memory."""
    calls = Purge.objects.filter(agency=p.agency, kind=RecordKind.CALL).values("record_id")
    cases = Purge.objects.filter(agency=p.agency, kind=RecordKind.CASE).values("record_id")
    purged_calls = Call.objects.filter(pk__in=calls)
    q = (
        Q(pk__in=purged_calls.values("caller_phone"))
        | Q(pk__in=purged_calls.values("caller_email"))
        | Q(pk__in=Victim.objects.filter(case__in=cases).values("phone"))
        | Q(pk__in=Victim.objects.filter(case__in=cases).values("email"))
        | Q(pk__in=CopyRequest.objects.filter(case__in=cases).values("phone"))
        | Q(pk__in=CopyRequest.objects.filter(case__in=cases).values("email"))
        | Q(pk__in=OptIn.objects.filter(case__in=cases).values("phone"))
    )
    ids = set(
        Contact.objects.filter(agency=p.agency, purged_at__isnull=True)
        .filter(q)
        .values_list("pk", flat=True)
    )
    return ids - blocked_contacts(p, ids, hold)


@dataclass
class Result:
    calls: int = 0
    cases: int = 0
    contacts: int = 0


def purge(agency: Agency, now: datetime | None = None, limit: int = 1000) -> Result:
    """Purge what is due for one agency (at most `limit` records of each kind a run)."""
    now = now or timezone.now()
    p = policy(agency, now)
    hold = held(agency)
    result = Result()
    for call in calls_past(p).exclude(pk__in=hold.calls).order_by("pk")[:limit]:
        done = purge_call(p, call, hold)
        if done is not None:
            result.calls += 1
            result.contacts += done.contacts
    for case in cases_past(p).exclude(pk__in=hold.cases).order_by("pk")[:limit]:
        done = purge_case(p, case, hold)
        if done is not None:
            result.cases += 1
            result.contacts += done.contacts
    with transaction.atomic():
        result.contacts += purge_contacts(leftover_contacts(p, hold), now)
    if result.calls or result.cases or result.contacts:
        log.info(
            "purge %s: %d calls, %d cases, %d contacts",
            agency.slug,
            result.calls,
            result.cases,
            result.contacts,
        )
    return result


def run(worker: str, now: datetime) -> int:
    """The worker's periodic job: every OPS_PURGE_EVERY_MINUTES, under the operations.purge
    lease, purge what is due in every agency. Returns records purged."""
    every = timedelta(minutes=settings.OPS_PURGE_EVERY_MINUTES)
    if not leases.turn(LEASE, worker, every, now):
        return 0
    total = 0
    for agency in Agency.objects.all():
        result = purge(agency, now)
        total += result.calls + result.cases
    return total


# --- What the page shows -------------------------------------------------------------------


@dataclass
class Outlook:
    due_calls: list[str]
    due_call_count: int
    due_cases: list[str]
    due_case_count: int
    scheduled_calls: int  # past the retention days, kept by the records schedule
    scheduled_cases: int
    held_calls: int  # due, but held
    held_cases: int


SHOWN = 50


def outlook(agency: Agency, now: datetime | None = None) -> Outlook:
    p = policy(agency, now or timezone.now())
    hold = held(agency)
    due_calls = calls_past(p).exclude(pk__in=hold.calls)
    due_cases = cases_past(p).exclude(pk__in=hold.cases)
    return Outlook(
        due_calls=list(due_calls.order_by("pk").values_list("incident_number", flat=True)[:SHOWN]),
        due_call_count=due_calls.count(),
        due_cases=list(due_cases.order_by("pk").values_list("number", flat=True)[:SHOWN]),
        due_case_count=due_cases.count(),
        scheduled_calls=calls_past(p, days=p.days).count() - calls_past(p).count(),
        scheduled_cases=cases_past(p, days=p.days).count() - cases_past(p).count(),
        held_calls=calls_past(p).filter(pk__in=hold.calls).count(),
        held_cases=cases_past(p).filter(pk__in=hold.cases).count(),
    )
