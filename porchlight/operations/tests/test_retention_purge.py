"""The purge: personal data goes N days after the call clears or the case closes; holds and the
records schedule keep it; a second run changes nothing; the statistics stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import RequestFactory

from porchlight.calls.models import Call, Event
from porchlight.cases.models import Victim
from porchlight.cases.open import open_case
from porchlight.cases.status import close
from porchlight.notify import pii
from porchlight.notify.models import Contact
from porchlight.operations import holds, retention
from porchlight.operations.models import (
    LegalHold,
    Purge,
    RecordKind,
    RecordsSchedule,
    RetentionSettings,
)
from porchlight.operations.tests.builders import cleared_call
from standins.browser import make_staff

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
OLD = NOW - timedelta(days=200)
RECENT = NOW - timedelta(days=10)
PHONE = "+16615550123"
OTHER = "+16615550177"


def staff_request(agency, role="records"):
    login = make_staff(agency, role=role, username=f"{role}-user")
    request = RequestFactory().post("/")
    request.user = login.user
    return request


def everything_about(call: Call) -> str:
    """Every stored text about the call, to look for the caller's details in."""
    call.refresh_from_db()
    parts = [call.address, str(call.lat), str(call.lon)]
    parts += [str(e.payload) for e in Event.objects.filter(call=call)]
    for contact in Contact.objects.filter(pk__in=[call.caller_phone_id, call.caller_email_id]):
        parts += [contact.address or "", contact.address_hash]
    return " ".join(parts)


@pytest.mark.django_db
def test_a_due_call_loses_the_callers_details_and_keeps_its_facts(agency):
    call = cleared_call(
        agency, "26-000001", OLD, phone=PHONE, email="maria@example.org", name="Maria Quintero"
    )
    before = Call.objects.filter(pk=call.pk).values(
        "status", "call_type_id", "priority_id", "received_at", "cleared_at", "disposition",
        "beat", "district", "caller_language",
    ).get()  # fmt: skip
    text = everything_about(call)
    assert "Maria Quintero" in text and "1501 Truxtun" in text
    assert Contact.objects.get(pk=call.caller_phone_id).address == PHONE

    # The CAD resends the first event changed: a conflict, held in the quarantine whole.
    from porchlight.calls.intake import ingest
    from porchlight.calls.models import Quarantine
    from porchlight.operations.tests.builders import feed

    first = Event.objects.filter(call=call).order_by("pk").first()
    resent = {**first.payload, "event_id": first.event_id, "disposition": "changed"}
    resent["caller"] = {**resent["caller"], "phone": PHONE}
    ingest(feed(agency), [resent])
    conflict = Quarantine.objects.get(kind="conflict")
    assert "Maria Quintero" in str(conflict.raw) and PHONE in str(conflict.raw)

    result = retention.purge(agency, NOW)

    assert (result.calls, result.contacts) == (1, 2)
    conflict.refresh_from_db()
    assert "Maria Quintero" not in str(conflict.raw) and PHONE not in str(conflict.raw)
    assert conflict.raw["incident_number"] == "26-000001"
    text = everything_about(call)
    assert "Maria Quintero" not in text and "1501 Truxtun" not in text
    assert pii.lookup_hash(PHONE) not in text and "maria@example.org" not in text
    call.refresh_from_db()
    assert call.address == "1500 block of Truxtun Ave" and call.lat == 35.374
    phone = Contact.objects.get(pk=call.caller_phone_id)
    assert phone.address is None and phone.purged_at == NOW
    # The statistics: the same call, status, type, priority, times, disposition, beat, district.
    after = Call.objects.filter(pk=call.pk).values(*before).get()
    assert after == before
    assert Event.objects.filter(call=call).count() == 2
    caller = Event.objects.filter(call=call).order_by("pk").first().payload["caller"]
    assert caller == {"language": "es"}
    record = Purge.objects.get()
    assert (record.kind, record.label, record.contacts) == ("call", "26-000001", 2)
    assert "quarantine" in record.fields

    # Idempotent: nothing more to do, nothing changes.
    again = retention.purge(agency, NOW + timedelta(days=1))
    assert (again.calls, again.cases, again.contacts) == (0, 0, 0)
    assert Purge.objects.count() == 1


@pytest.mark.django_db
def test_recent_calls_and_contacts_still_in_use_are_kept(agency):
    old = cleared_call(agency, "26-000010", OLD, phone=PHONE)
    recent = cleared_call(agency, "26-000011", RECENT, phone=PHONE)  # the same number calls again
    assert old.caller_phone_id == recent.caller_phone_id

    result = retention.purge(agency, NOW)

    assert result.calls == 1 and result.contacts == 0
    assert Contact.objects.get(pk=old.caller_phone_id).address == PHONE
    assert not Purge.objects.filter(record_id=recent.pk).exists()
    # The old call's own details went all the same.
    old.refresh_from_db()
    assert old.address == "1500 block of Truxtun Ave"

    # Once the second call is due too, the number goes.
    later = NOW + timedelta(days=200)
    assert retention.purge(agency, later).contacts == 1
    assert Contact.objects.get(pk=old.caller_phone_id).address is None


@pytest.mark.django_db
def test_a_hold_keeps_everything_until_it_is_released(agency):
    held = cleared_call(agency, "26-000020", OLD, phone=PHONE, name="Ana Ruiz")
    other = cleared_call(agency, "26-000021", OLD, phone=OTHER)
    contact_held = cleared_call(agency, "26-000022", OLD, email="held@example.org")
    request = staff_request(agency)
    hold = holds.place(agency, call=held, reason="Claim 24-118 against the city", request=request)
    holds.place(
        agency,
        contact=Contact.objects.get(pk=contact_held.caller_email_id),
        reason="Subpoena",
        request=request,
    )

    outlook = retention.outlook(agency, NOW)
    assert outlook.due_calls == ["26-000021", "26-000022"] and outlook.held_calls == 1

    result = retention.purge(agency, NOW)

    assert result.calls == 2
    assert "Ana Ruiz" in everything_about(held)
    assert Contact.objects.get(pk=held.caller_phone_id).address == PHONE
    assert Contact.objects.get(pk=other.caller_phone_id).address is None
    # The call on hold-by-contact lost its address but not the held email.
    assert Contact.objects.get(pk=contact_held.caller_email_id).address == "held@example.org"

    from porchlight.audit.models import AuditEntry

    assert list(
        AuditEntry.objects.filter(action__startswith="operations.hold")
        .order_by("pk")
        .values_list("action", "changes__reason")
    ) == [
        ("operations.hold.place", "Claim 24-118 against the city"),
        ("operations.hold.place", "Subpoena"),
    ]

    contact_hold = LegalHold.objects.get(contact__isnull=False)
    assert holds.release(contact_hold, reason="Subpoena answered", request=request)
    assert retention.purge(agency, NOW).contacts == 1  # the call was purged already; its email now
    assert Contact.objects.get(pk=contact_held.caller_email_id).address is None
    assert holds.release(hold, reason="Claim settled", request=request)
    assert not holds.release(hold, reason="again", request=request)
    assert retention.purge(agency, NOW).calls == 1
    assert "Ana Ruiz" not in everything_about(held)


@pytest.mark.django_db
def test_the_records_schedule_and_the_agency_setting_set_the_time(agency):
    call = cleared_call(agency, "26-000030", OLD, phone=PHONE)
    RecordsSchedule.objects.create(agency=agency, kind=RecordKind.CALL, min_days=365)
    outlook = retention.outlook(agency, NOW)
    assert outlook.due_call_count == 0 and outlook.scheduled_calls == 1
    assert retention.purge(agency, NOW).calls == 0
    assert Contact.objects.get(pk=call.caller_phone_id).address == PHONE

    assert retention.purge(agency, OLD + timedelta(days=366)).calls == 1

    # A shorter setting purges sooner (the schedule's minimum still applies to its kind).
    newer = cleared_call(agency, "26-000031", RECENT, phone=OTHER)
    RecordsSchedule.objects.all().delete()
    RetentionSettings.objects.create(agency=agency, purge_after_days=7)
    assert retention.purge(agency, NOW).calls == 1
    assert Contact.objects.get(pk=newer.caller_phone_id).address is None


@pytest.mark.django_db
def test_a_closed_case_loses_the_reporters_and_victims_details(agency):
    case = open_case(
        agency,
        source="console",
        offense_code="23F",
        offense="Theft from motor vehicle",
        occurred_at=OLD,
        address="2210 Chester Ave",
        lat=None,
        lon=None,
        reporter_phone=PHONE,
        reporter_email="reporter@example.org",
        notify=False,
    )
    close(case, term="cleared_arrest", at=OLD, source="console", notify=False)
    case.refresh_from_db()
    case.closed_at = OLD
    case.save(update_fields=["closed_at"])
    open_case_too = open_case(
        agency, source="console", offense_code="23F", offense="Theft", occurred_at=OLD,
        address="", lat=None, lon=None, reporter_phone=OTHER, notify=False,
    )  # fmt: skip
    victim = Victim.objects.get(case=case)

    hold_request = staff_request(agency)
    hold = holds.place(agency, case=case, reason="Civil suit", request=hold_request)
    assert retention.purge(agency, NOW).cases == 0
    holds.release(hold, reason="Dismissed", request=hold_request)

    result = retention.purge(agency, NOW)

    assert result.cases == 1 and result.contacts == 2
    assert Contact.objects.get(pk=victim.phone_id).address is None
    assert Contact.objects.get(pk=victim.email_id).address is None
    case.refresh_from_db()
    assert case.address == "2200 block of Chester Ave"
    assert (case.offense_code, case.term) == ("23F", "cleared_arrest")
    assert not Purge.objects.filter(kind="case", record_id=open_case_too.pk).exists()
    assert retention.purge(agency, NOW).cases == 0


@pytest.mark.django_db
def test_survey_answers_keep_their_scores_and_lose_typed_contact_details(agency):
    from porchlight.feedback import answers
    from porchlight.feedback.models import Answer, Invitation
    from porchlight.feedback.tests import calls

    call = calls.cleared_call(agency, "26-000040", day="2026-05-01")
    invitation = Invitation.objects.get(call=call)
    q = {x.about: answers.field(x) for x in invitation.survey.questions.all()}
    answers.submit(
        invitation,
        {q["overall"]: "2", q["different"]: "Slow. Call me on 661-555-0188 or ana@example.org"},
        "en",
    )
    before = sorted(Answer.objects.values_list("question_id", "number", "yes", "themes"))

    assert retention.purge(agency, NOW).calls == 1

    assert sorted(Answer.objects.values_list("question_id", "number", "yes", "themes")) == before
    texts = [t for t in Answer.objects.values_list("text", flat=True) if t]
    assert texts == ["Slow. Call me on [phone hidden] or [email hidden]"]
    assert Purge.objects.get().fields == [
        "contacts",
        "address",
        "event payloads",
        "survey comments",
    ]
