"""Intake's invitations ask each cleared call once, whatever reached it before (issue 9, sixth
pass: on PostgreSQL the "already invited" check, the outbox row and the invitation are one
statement; SQLite keeps the set-based statements). Run on both engines."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from porchlight.agencies.models import Agency
from porchlight.calls.intake import APPLIED, Feed, ingest
from porchlight.calls.models import Call
from porchlight.feedback import defaults, invite
from porchlight.feedback.models import Invitation, Survey, When
from porchlight.notify.models import Contact, Outbox, Trigger
from standins.builders import at_once, cad_event, make_agency

PACIFIC = ZoneInfo("America/Los_Angeles")
CLEARED = datetime(2026, 11, 22, 15, 6, tzinfo=PACIFIC)


def _feed(agency: Agency) -> Feed:
    return Feed(agency=agency, source="cad", covered={agency.ori: agency})


def _received(incident: str, phone: str) -> dict[str, Any]:
    event = cad_event(1, incident=incident, at="2026-11-22T14:14:00-08:00", caller={"phone": phone})
    event["event_id"] = f"{incident}:1"
    return event


def _cleared(incident: str, n: int = 2, phone: str | None = None) -> dict[str, Any]:
    event = cad_event(
        n,
        incident=incident,
        status="cleared",
        at=f"2026-11-22T15:{n:02d}:00-08:00",
        **({"caller": {"phone": phone}} if phone else {}),
    )
    event["event_id"] = f"{incident}:{n}"
    return event


def _send(agency: Agency, events: list[dict[str, Any]]) -> None:
    with time_machine.travel(CLEARED, tick=False):
        outcomes, _ = ingest(_feed(agency), events)
    assert all(o.result == APPLIED for o in outcomes), outcomes


def _surveys(agency: Agency) -> int:
    return Outbox.objects.filter(agency=agency, trigger=Trigger.SURVEY).count()


@pytest.fixture
def agency(db: None) -> Agency:
    agency = make_agency()
    defaults.ensure(agency.pk)
    return agency


def test_a_call_invited_before_is_not_asked_again_even_by_a_new_caller(agency):
    """The clearing batch brings another caller (another contact, so another outbox key): the
    call's invitation already exists, so neither a second invitation nor a second message."""
    _send(agency, [_received("26-000101", "661-555-0101")])
    call = Call.objects.get(incident_number="26-000101")
    survey = Survey.objects.get(agency=agency, when=When.CALL_CLEARED)
    first = invite.invite(survey, Contact.objects.get(pk=call.caller_phone_id), call=call)
    assert first is not None and _surveys(agency) == 1

    _send(agency, [_cleared("26-000101", phone="661-555-0199")])

    call.refresh_from_db()
    assert call.status == "cleared"
    assert Contact.objects.get(pk=call.caller_phone_id).pk != first.contact_id  # a new caller
    assert list(Invitation.objects.filter(call=call)) == [first]
    assert _surveys(agency) == 1


def test_an_outbox_row_planned_before_becomes_the_invitations(agency):
    """A survey message planned for the call before (its invitation since gone) is the one the
    new invitation points at, due when it is due: no second message."""
    _send(agency, [_received("26-000102", "661-555-0102")])
    call = Call.objects.get(incident_number="26-000102")
    survey = Survey.objects.get(agency=agency, when=When.CALL_CLEARED)
    first = invite.invite(survey, Contact.objects.get(pk=call.caller_phone_id), call=call)
    assert first is not None
    planned = Outbox.objects.get(pk=first.outbox_id)
    Invitation.objects.filter(pk=first.pk).delete()

    _send(agency, [_cleared("26-000102")])

    (made,) = Invitation.objects.filter(call=call)
    assert made.outbox_id == planned.pk
    assert made.due_at == planned.due_at
    assert _surveys(agency) == 1


def test_a_purged_caller_is_not_asked(agency):
    _send(agency, [_received("26-000103", "661-555-0103")])
    Contact.objects.get(pk=Call.objects.get(incident_number="26-000103").caller_phone_id).purge()

    _send(agency, [_cleared("26-000103")])

    assert not Invitation.objects.filter(agency=agency).exists()
    assert _surveys(agency) == 0


def test_a_replayed_clearing_batch_asks_nobody_twice(agency):
    events = [_received("26-000104", "661-555-0104"), _cleared("26-000104")]
    _send(agency, events)
    with time_machine.travel(CLEARED, tick=False):
        ingest(_feed(agency), events)
        ingest(_feed(agency), [*events, _cleared("26-000104", n=9)])  # cleared again, later
    assert Invitation.objects.filter(agency=agency).count() == 1
    assert _surveys(agency) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_clearing_the_same_calls_make_one_invitation_each():
    """Five feeds send every call's clearing at once, each with its own event ids and its own
    caller number (so their outbox keys differ): each call ends with one invitation and one
    survey message, which point at each other."""
    agency = make_agency()
    defaults.ensure(agency.pk)
    incidents = [f"26-{n:06d}" for n in range(20)]
    _send(agency, [_received(number, f"661-555-{i:04d}") for i, number in enumerate(incidents)])

    def worker(step: int) -> None:
        events = [
            _cleared(number, n=10 + step, phone=f"661-556-{step}{i:03d}")
            for i, number in enumerate(incidents)
        ]
        _send(agency, events)

    at_once(worker, range(5))
    assert set(Call.objects.values_list("status", flat=True)) == {"cleared"}
    invitations = list(Invitation.objects.filter(agency=agency))
    assert sorted(i.call.incident_number for i in invitations) == incidents
    surveys = Outbox.objects.filter(agency=agency, trigger=Trigger.SURVEY)
    assert sorted(surveys.values_list("pk", flat=True)) == sorted(i.outbox_id for i in invitations)
    for invitation in invitations:
        assert invitation.contact_id == invitation.outbox.contact_id


def test_callers_not_read_before_the_lock_are_read_when_inviting(agency, monkeypatch):
    """Intake reads the callers before it locks the calls (PostgreSQL); one it missed (a
    caller a concurrent batch gave the call in between) is read when inviting."""
    monkeypatch.setattr(invite, "callers_ahead", lambda ids, clearing: {})
    _send(agency, [_received("26-000105", "661-555-0105"), _cleared("26-000105")])
    (made,) = Invitation.objects.filter(agency=agency)
    assert made.contact_id == Call.objects.get(incident_number="26-000105").caller_phone_id
    assert _surveys(agency) == 1
