"""Public-records requests: everything sent to, or recorded about, a phone number, an email
address or a case, as a zip of one CSV per table and one JSON of them all.

What is in it:
- `contacts`: the addresses asked about (and, for a case, its victims' and requesters');
- `messages`: every outbox row to them (trigger, channel, state, reason, subject, the words
  as sent, times, provider id); for a case, the messages about the case and its calls;
- `consent`: the consent log and the opt-outs for those addresses;
- `texts_received`: what they texted us, and what we answered;
- `calls` and `cases` linked, with `case_events` and `online_reports`;
- `survey_responses`: the invitations and each answer;
- `audit`: audit entries about any of these contacts, calls and cases.

It is read in one request: a person's or a case's records are hundreds of rows, not millions,
so the zip is built in memory in well under a second (no progress bar to watch). The export is
what the agency holds; redaction before release is the records officer's job (docs/admins.md).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Q

from porchlight.agencies.models import Agency
from porchlight.audit.models import AuditEntry
from porchlight.calls.models import Call
from porchlight.cases.contacts import clean_email, clean_phone
from porchlight.cases.models import Case, CaseEvent, CaseIncident, CopyRequest, OptIn, Victim
from porchlight.feedback.models import Answer, Invitation
from porchlight.notify import pii
from porchlight.notify.models import Channel, ConsentChange, Contact, Inbound, OptOut, Outbox
from porchlight.reports.models import Report


class NotFound(ValueError):
    """Nothing is held under what was asked for."""


@dataclass
class Subject:
    """What the request is about, resolved to rows of this agency."""

    agency: Agency
    kind: str  # "phone", "email" or "case"
    contacts: list[Contact] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)


def find(agency: Agency, *, phone: str = "", email: str = "", case_number: str = "") -> Subject:
    if phone:
        clean = clean_phone(phone)
        if not clean:
            raise ValueError("not a phone number")
        found = Contact.objects.filter(
            agency=agency, channel=Channel.SMS, address_hash=pii.lookup_hash(clean)
        )
        subject = Subject(agency, "phone", contacts=list(found))
    elif email:
        clean = clean_email(email)
        if not clean:
            raise ValueError("not an email address")
        found = Contact.objects.filter(
            agency=agency, channel=Channel.EMAIL, address_hash=pii.lookup_hash(clean)
        )
        subject = Subject(agency, "email", contacts=list(found))
    else:
        case = Case.objects.filter(agency=agency, number=case_number.strip()).first()
        subject = Subject(agency, "case", cases=[case] if case else [])
    if not subject.contacts and not subject.cases:
        raise NotFound
    return subject


def _value(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


@dataclass
class Export:
    tables: dict[str, list[dict[str, Any]]]

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.tables.items()}

    def zip_bytes(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, rows in self.tables.items():
                text = io.StringIO()
                # Every key of every row, in order of appearance (the consent table mixes
                # consent changes and opt-outs).
                columns = list(dict.fromkeys(k for row in rows for k in row))
                writer = csv.DictWriter(text, fieldnames=columns, restval="")
                writer.writeheader()
                for row in rows:
                    writer.writerow({k: _csv(v) for k, v in row.items()})
                archive.writestr(f"{name}.csv", text.getvalue())
            archive.writestr(
                "export.json", json.dumps(self.tables, indent=2, ensure_ascii=False, default=str)
            )
        return out.getvalue()


def _csv(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value


def _rows(items: Iterable[Any], names: list[str]) -> list[dict[str, Any]]:
    return [{n: _value(getattr(item, n)) for n in names} for item in items]


MESSAGE_FIELDS = [
    "id", "contact_id", "channel", "trigger", "call_id", "state", "reason", "language",
    "subject", "body", "due_at", "sent_at", "delivered_at", "provider_id", "error_code", "created",
]  # fmt: skip


def build(subject: Subject) -> Export:
    agency = subject.agency
    contacts = {c.pk: c for c in subject.contacts}
    cases = {c.pk: c for c in subject.cases}
    calls: dict[int, Call] = {}
    contact_ids = set(contacts)
    if contact_ids:
        for call in Call.objects.filter(agency=agency).filter(
            Q(caller_phone__in=contact_ids) | Q(caller_email__in=contact_ids)
        ):
            calls[call.pk] = call
        linked = (
            set(Victim.objects.filter(Q(phone__in=contact_ids) | Q(email__in=contact_ids)).values_list("case_id", flat=True))
            | set(CopyRequest.objects.filter(Q(phone__in=contact_ids) | Q(email__in=contact_ids)).exclude(case=None).values_list("case_id", flat=True))
            | set(OptIn.objects.filter(phone__in=contact_ids).values_list("case_id", flat=True))
        )  # fmt: skip
        for case in Case.objects.filter(agency=agency, pk__in=linked):
            cases[case.pk] = case
    if subject.kind == "case":
        ids = list(cases)
        people: set[int] = set()
        for v in Victim.objects.filter(case__in=ids):
            people |= {c for c in (v.phone_id, v.email_id) if c}
        for r in CopyRequest.objects.filter(case__in=ids):
            people |= {c for c in (r.phone_id, r.email_id) if c}
        people |= set(OptIn.objects.filter(case__in=ids).values_list("phone_id", flat=True))
        for contact in Contact.objects.filter(pk__in=people):
            contacts[contact.pk] = contact
        numbers = CaseIncident.objects.filter(case__in=ids).values("incident_number")
        for call in Call.objects.filter(agency=agency, incident_number__in=numbers):
            calls[call.pk] = call
    else:
        numbers = CaseIncident.objects.filter(case__in=list(cases)).values("incident_number")
        for call in Call.objects.filter(agency=agency, incident_number__in=numbers):
            calls[call.pk] = call

    if subject.kind == "case":
        # Messages about the case or its calls (plan.message's key names the case).
        about = Q(call__in=list(calls))
        for pk in cases:
            about |= Q(dedupe_key__contains=f":case:{pk}:")
        messages = Outbox.objects.filter(agency=agency).filter(about)
    else:
        messages = Outbox.objects.filter(agency=agency, contact__in=list(contacts))
    hashes = {c.address_hash for c in contacts.values()}

    tables: dict[str, list[dict[str, Any]]] = {}
    tables["contacts"] = [
        {
            "id": c.pk,
            "channel": c.channel,
            "address": c.address or "",
            "created": _value(c.created),
            "purged_at": _value(c.purged_at),
            "undeliverable": c.undeliverable,
        }
        for c in contacts.values()
    ]
    tables["messages"] = _rows(messages.order_by("created", "pk"), MESSAGE_FIELDS)
    tables["consent"] = [
        {"kind": "change", **row}
        for row in _rows(
            ConsentChange.objects.filter(address_hash__in=hashes).order_by("at", "pk"),
            ["id", "channel", "sender", "action", "source", "detail", "at"],
        )
    ] + [
        {"kind": "opt-out", **row}
        for row in _rows(
            OptOut.objects.filter(address_hash__in=hashes).order_by("created", "pk"),
            ["id", "channel", "sender", "source", "created"],
        )
    ]
    tables["texts_received"] = [
        {
            "id": i.pk,
            "contact_id": i.contact_id,
            "sender": i.sender,
            "kind": i.kind,
            "body": i.body or "",
            "answer": i.answer,
            "received_at": _value(i.received_at),
        }
        for i in Inbound.objects.filter(
            Q(contact__in=list(contacts)) | Q(address_hash__in=hashes, agency=agency)
        ).order_by("received_at", "pk")
    ]
    tables["calls"] = _rows(
        sorted(calls.values(), key=lambda c: c.pk),
        ["id", "incident_number", "status", "first_event_at", "received_at", "dispatched_at",
         "onscene_at", "cleared_at", "cancelled_at", "disposition", "address", "beat",
         "district", "report_number", "caller_phone_id", "caller_email_id", "caller_language",
         "do_not_contact"],
    )  # fmt: skip
    for row, call in zip(tables["calls"], sorted(calls.values(), key=lambda c: c.pk), strict=True):
        row["call_type"] = call.call_type.code if call.call_type else ""
    tables["cases"] = _rows(
        sorted(cases.values(), key=lambda c: c.pk),
        ["id", "number", "source", "offense_code", "offense", "term", "rms_status",
         "occurred_at", "closed_at", "address", "detective_name", "created"],
    )  # fmt: skip
    tables["case_events"] = _rows(
        CaseEvent.objects.filter(case__in=list(cases)).order_by("case_id", "at", "pk"),
        ["id", "case_id", "kind", "at", "public", "rms_status", "term", "text", "source"],
    )
    tables["online_reports"] = _rows(
        Report.objects.filter(case__in=list(cases)).order_by("pk"),
        ["id", "case_id", "source", "description", "answers", "address", "language", "filed_at"],
    )
    wanted = Q(contact__in=list(contacts)) | Q(call__in=list(calls))
    for case in cases.values():
        # feedback/invite.py names a case's invitations "case:<number>:…", "report:<number>:…".
        wanted |= Q(reference__startswith=f"case:{case.number}:")
        wanted |= Q(reference__startswith=f"report:{case.number}:")
    invitations = Invitation.objects.filter(agency=agency).filter(wanted)
    if subject.kind == "case":
        # The survey invitations about the case went to its people: their messages too.
        extra = Outbox.objects.filter(
            pk__in=invitations.exclude(outbox=None).values("outbox")
        ).exclude(pk__in=[m["id"] for m in tables["messages"]])
        tables["messages"] += _rows(extra.order_by("created", "pk"), MESSAGE_FIELDS)
    responses = []
    for inv in invitations.select_related("survey").order_by("created", "pk"):
        response = getattr(inv, "response", None)
        base = {
            "invitation_id": inv.pk,
            "survey": inv.survey.name,
            "contact_id": inv.contact_id,
            "call_id": inv.call_id,
            "reference": inv.reference,
            "invited": _value(inv.created),
            "submitted_at": _value(response.submitted_at) if response else None,
        }
        answers = (
            Answer.objects.filter(response=response).select_related("question").order_by("pk")
            if response
            else []
        )
        # The question as the person read it (their language), and the English for staff.
        language = response.language if response else inv.language
        if not answers:
            responses.append(
                {**base, "question": "", "question_en": "", "language": language,
                 "number": None, "yes": None, "text": ""}
            )  # fmt: skip
        for answer in answers:
            responses.append(
                {
                    **base,
                    "question": answer.question.text(language),
                    "question_en": answer.question.text_en,
                    "language": language,
                    "number": answer.number,
                    "yes": answer.yes,
                    "text": answer.text,
                }
            )
    tables["survey_responses"] = responses
    targets = (
        Q(target_type="notify.contact", target_id__in=[str(pk) for pk in contacts])
        | Q(target_type="calls.call", target_id__in=[str(pk) for pk in calls])
        | Q(target_type="cases.case", target_id__in=[str(pk) for pk in cases])
    )
    tables["audit"] = _rows(
        AuditEntry.objects.filter(agency=agency).filter(targets).order_by("at", "pk"),
        ["id", "at", "actor_label", "action", "target_type", "target_id", "changes", "ip"],
    )
    return Export(tables)
