"""Asking: one invitation, with a one-time link, through the notification engine.

Three ways in, each an explicit call from the code that owns the moment:
- `after_calls_cleared(applied)`: from calls intake, in the batch's transaction, for the calls
  the batch cleared;
- `after_case_closed(case)`: from cases.status.close(), for the case's opted-in victims;
- `after_online_report(report)`: from reports.filing.file_report(), for the reporter.

Whoever calls, the same steps: the agency's first enabled survey for that moment; the call's
exclusions (plan.exclusion: sensitive or unmapped type, juvenile, do not contact) and history
ask nobody, nor do the survey's switched-off call types; the sampling rate picks a fixed share
(by a hash of the survey and the call, so a replay picks the same); then one message through
`notify.plan.message()`, by SMS when there is a phone and by email otherwise, due after the
survey's delay and after quiet hours, whose link works for FEEDBACK_LINK_DAYS from then.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from porchlight.agencies.models import Agency
from porchlight.calls.changes import Applied
from porchlight.calls.models import Call, Status
from porchlight.feedback import defaults, roster
from porchlight.feedback.models import Invitation, Survey, When
from porchlight.notify import plan
from porchlight.notify.models import Contact, Trigger

if TYPE_CHECKING:  # the cases and reports apps call in; feedback does not import them
    from porchlight.cases.models import Case
    from porchlight.reports.models import Report

TOKEN_BYTES = 12


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sampled(survey: Survey, subject: str) -> bool:
    """Whether this call (or case, or report) is in the survey's sample: a fixed share, the
    same answer every time for the same subject."""
    if survey.sample_percent >= 100:
        return True
    digest = hashlib.sha256(f"{survey.pk}:{subject}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 10000 < survey.sample_percent * 100


def language_of(code: str, agency: Agency) -> str:
    known = {c for c, _ in settings.LANGUAGES}
    for candidate in (code, code.split("-")[0]):
        if candidate in known:
            return candidate
    default = agency.default_language
    return default if default in known else settings.LANGUAGE_CODE


def survey_for(agency: Agency, when: str) -> Survey | None:
    defaults.ensure(agency.pk)
    return Survey.objects.filter(agency=agency, when=when, enabled=True).order_by("id").first()


def after_calls_cleared(applied: Applied) -> None:
    """Invite the callers of the calls this intake batch cleared. Called by calls.intake inside
    the batch's transaction, after notify.plan.calls().

    Read once for the batch, not per call (under intake's profiler these reads were most of a
    batch's CPU): each agency's survey, the callers' contacts, and the calls' agency, call type
    and priority, which intake already holds (`applied`) and a call read by calls/rows.py would
    otherwise fetch one query each on first use."""
    cleared_now = {ev.call_id for ev in applied.events if ev.status == Status.CLEARED}
    calls: list[Call] = []
    for pk in sorted(cleared_now):
        call = applied.calls.get(pk)
        if call is None or call.historical or call.status != Status.CLEARED:
            continue
        if applied.status_before.get(pk) == Status.CLEARED:
            continue  # cleared before this batch: asked then
        if (call.caller_phone_id or call.caller_email_id) is None:
            continue
        calls.append(call)
    if not calls:
        return
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in={c.agency_id for c in calls})}
    surveys: dict[int, Survey | None] = {}
    contacts = Contact.objects.in_bulk(
        {c.caller_phone_id or c.caller_email_id for c in calls}  # type: ignore[misc]
    )
    for call in calls:
        _known_relations(call, agencies, applied)
        if call.agency_id not in surveys:
            surveys[call.agency_id] = survey_for(call.agency, When.CALL_CLEARED)
        survey = surveys[call.agency_id]
        contact = contacts.get(call.caller_phone_id or call.caller_email_id)  # type: ignore[arg-type]
        if survey is None or contact is None:
            continue
        invite(survey, contact, call=call, language=language_of(call.caller_language, call.agency))


def _known_relations(call: Call, agencies: dict[int, Agency], applied: Applied) -> None:
    """The call's agency, call type and priority, from what the batch already read, cached on
    the call as select_related would (only where not cached yet)."""
    for name, pk, known in (
        ("agency", call.agency_id, agencies),
        ("call_type", call.call_type_id, applied.call_types),
        ("priority", call.priority_id, applied.priorities),
    ):
        field = Call._meta.get_field(name)
        if field.is_cached(call):  # type: ignore[union-attr]
            continue
        if pk is None:
            field.set_cached_value(call, None)  # type: ignore[union-attr]
        elif pk in known:
            field.set_cached_value(call, known[pk])  # type: ignore[union-attr]


def after_call_cleared(call: Call) -> Invitation | None:
    contact_id = call.caller_phone_id or call.caller_email_id
    if contact_id is None:
        return None
    agency = call.agency
    survey = survey_for(agency, When.CALL_CLEARED)
    if survey is None:
        return None
    contact = Contact.objects.get(pk=contact_id)
    return invite(survey, contact, call=call, language=language_of(call.caller_language, agency))


def after_case_closed(case: Case) -> list[Invitation]:
    """Invite the people who hear about a case that just closed: its opted-in victims, the
    reporter among them, each once (by phone, else email). Called by cases.status.close() in
    the closing transaction; calling it again for the same case asks nobody twice.

    A domestic-violence case asks nobody, and neither does a case whose linked CAD call is
    excluded (sensitive or unmapped type, juvenile, do not contact)."""
    if case.domestic_violence:
        return []
    call = linked_call(case)
    if call is not None and plan.exclusion(call, call.call_type):
        return []
    survey = survey_for(case.agency, When.CASE_CLOSED)
    if survey is None:
        return []
    made = []
    for victim in case.victims.filter(opted_in=True).select_related("phone", "email"):
        contact = victim.phone or victim.email
        if contact is None:
            continue
        invitation = invite(
            survey,
            contact,
            # History linked to the case is fine to count under; it is not a reason to skip.
            call=call if call is not None and not call.historical else None,
            reference=f"case:{case.number}:{victim.pk}",
            number=case.number,
            language=language_of(victim.language, case.agency),
        )
        if invitation is not None:
            made.append(invitation)
    return made


def after_online_report(report: Report) -> list[Invitation]:
    """Invite the person who filed an online report (the case's reporter). Called by
    reports.filing.file_report() in the filing transaction."""
    case = report.case
    survey = survey_for(report.agency, When.ONLINE_REPORT)
    if survey is None:
        return []
    made = []
    for victim in case.victims.filter(reporter=True, opted_in=True).select_related(
        "phone", "email"
    ):
        contact = victim.phone or victim.email
        if contact is None:
            continue
        invitation = invite(
            survey,
            contact,
            reference=f"report:{case.number}:{victim.pk}",
            number=case.number,
            language=language_of(report.language or victim.language, report.agency),
        )
        if invitation is not None:
            made.append(invitation)
    return made


def linked_call(case: Case) -> Call | None:
    """The latest CAD call linked to the case by incident number, if any."""
    numbers = case.incidents.values_list("incident_number", flat=True)
    return (
        Call.objects.filter(agency_id=case.agency_id, incident_number__in=numbers)
        .select_related("call_type", "priority", "agency")
        .order_by("-first_event_at")
        .first()
    )


def refusal(survey: Survey, call: Call | None) -> str:
    """Why this call gets no survey, or ""."""
    if call is None:
        return ""
    if call.historical:
        return "historical call"
    reason = plan.exclusion(call, call.call_type)
    if reason:
        return reason
    off = {str(c).strip().upper() for c in survey.call_types_off or []}
    if call.call_type is not None and call.call_type.code.upper() in off:
        return "survey switched off for this call type"
    return ""


def invite(
    survey: Survey,
    contact: Contact,
    *,
    call: Call | None = None,
    reference: str = "",
    language: str = "en",
    number: str = "",
    now: datetime | None = None,
) -> Invitation | None:
    """Plan one invitation, or None when nobody is to be asked (see the module docstring)."""
    agency = survey.agency
    if contact.agency_id != agency.pk or contact.purged_at is not None:
        return None
    if refusal(survey, call):
        return None
    subject = f"call:{call.pk}" if call is not None else f"ref:{reference}"
    if not sampled(survey, subject):
        return None
    found = Invitation.objects.filter(
        survey=survey, when=survey.when, call=call, reference=reference
    ).first()
    if found is not None:
        return found

    now = now or timezone.now()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    url = settings.SITE_URL + reverse("feedback:survey", args=[token])
    when_local = timezone.localtime(now, agency.tz)
    # The number the person knows the matter by: the case's, else the call's.
    number = number or (call.incident_number if call is not None else reference)
    row = plan.message(
        agency,
        contact,
        Trigger.SURVEY,
        dedupe=f"survey:{survey.pk}:{subject}"[:60],
        context={
            "survey_url": url,
            "incident_number": number,
            "call_date": when_local.date().isoformat(),
        },
        language=language,
        call=call,
        due=now + timedelta(hours=survey.delay_hours),
    )
    if row is None:
        return None  # the agency has no enabled rule that sends invitations on this channel

    shift, day = (None, now.date())
    if call is not None:
        shift, day = roster.shift_at(agency, call.received_at or call.first_event_at)
    invitation = Invitation(
        agency=agency,
        survey=survey,
        when=survey.when,
        call=call,
        reference=reference,
        contact=contact,
        outbox=row,
        token_hash=token_hash(token),
        language=language,
        created=now,
        due_at=row.due_at,
        expires_at=row.due_at + timedelta(days=settings.FEEDBACK_LINK_DAYS),
        shift=shift,
    )
    if call is not None:
        invitation.beat = call.beat
        invitation.district = call.district
        invitation.call_type = call.call_type.code if call.call_type else ""
        invitation.priority = call.priority.code if call.priority else ""
        invitation.units = [
            str(u.get("id")) for u in call.units or [] if isinstance(u, dict) and u.get("id")
        ]
        invitation.call_taker = call.call_taker_id
    try:
        with transaction.atomic():
            invitation.save(force_insert=True)
    except IntegrityError:
        return Invitation.objects.get(
            survey=survey, when=survey.when, call=call, reference=reference
        )
    if call is not None:
        invitation.officers.set(roster.officers_for(call, shift, day))
    return invitation
