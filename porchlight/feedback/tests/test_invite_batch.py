"""A batch's survey invitations are planned set-based (issue 9, third pass): a fixed number of
statements whatever the number of cleared calls, and the same invitations, outbox rows,
officers and roster entries as planning them one call at a time with `invite()`."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from porchlight.agencies.models import Agency
from porchlight.calls.changes import Applied
from porchlight.calls.intake import Feed, ingest
from porchlight.calls.models import Call, Status
from porchlight.feedback import defaults, invite
from porchlight.feedback.models import Invitation, Officer, RosterEntry, Shift, Survey, When
from porchlight.notify.models import Contact, OptOut, Outbox, Trigger
from standins.builders import cad_event, make_agency

PACIFIC = ZoneInfo("America/Los_Angeles")
CLEARED = datetime(2026, 11, 22, 15, 6, tzinfo=PACIFIC)


def _call_events(
    incident: str,
    *,
    caller: dict[str, Any],
    units: list[dict[str, Any]] | None = None,
    call_type: str = "459R",
    cleared: bool = True,
    **extra: Any,
) -> list[dict[str, Any]]:
    """A call received at 14:14 and (unless not `cleared`) cleared at 15:05, agency time."""
    first = cad_event(
        1,
        incident=incident,
        at="2026-11-22T14:14:00-08:00",
        call_type=call_type,
        call_taker_id="CT114",
        location={"address": "1501 Truxtun Ave", "beat": "B12", "district": "D2"},
        caller=caller,
        **extra,
    )
    first["event_id"] = f"{incident}:1"
    if not cleared:
        return [first]
    last = cad_event(
        2,
        incident=incident,
        status="cleared",
        at="2026-11-22T15:05:00-08:00",
        call_type=call_type,
        units=units or [],
        disposition="RPT",
    )
    last["event_id"] = f"{incident}:2"
    return [first, last]


def _send(agency: Agency, events: list[dict[str, Any]]) -> None:
    outcomes, _ = ingest(Feed(agency=agency, source="cad", covered={agency.ori: agency}), events)
    assert all(o.result == "applied" for o in outcomes), [
        o for o in outcomes if o.result != "applied"
    ]


def _unit(unit: str, *officers: str) -> dict[str, Any]:
    return {"id": unit, "officers": [{"id": b, "name": f"Ofc. {b}"} for b in officers]}


# --- the statement count -----------------------------------------------------------------------


def _count(monkeypatch: pytest.MonkeyPatch, agency: Agency, calls: int) -> tuple[int, int]:
    """Statements of after_calls_cleared, and of the whole ingest(), for one batch clearing
    `calls` calls, each with its own caller, unit and officer."""
    counted: list[int] = []
    real = invite.after_calls_cleared

    def counting(applied: Applied) -> None:
        with CaptureQueriesContext(connection) as ctx:
            real(applied)
        counted.append(len(ctx.captured_queries))

    monkeypatch.setattr(invite, "after_calls_cleared", counting)
    events = []
    for i in range(calls):
        events += _call_events(
            f"26-03{i:04d}",
            caller={"phone": f"661-555-{i:04d}", "language": "es" if i % 2 else "en"},
            units=[_unit(f"U{i}", f"B{i}")],
        )
    with time_machine.travel(CLEARED, tick=False), CaptureQueriesContext(connection) as whole:
        _send(agency, events)
    monkeypatch.setattr(invite, "after_calls_cleared", real)
    assert Invitation.objects.filter(agency=agency).count() == calls
    assert Officer.objects.filter(agency=agency).count() == calls
    return counted[0], len(whole.captured_queries)


@pytest.mark.django_db
def test_a_batchs_statements_do_not_grow_with_its_cleared_calls(monkeypatch):
    counts = []
    for n, size in enumerate((5, 50)):
        agency = make_agency(slug=f"batch{size}", name=f"Batch {size}", ori=f"CA01594{n:02d}")
        defaults.ensure(agency.pk)  # an agency's first invitation installs its defaults, once
        Shift.objects.create(agency=agency, name="Days", starts=time(6), ends=time(16))
        counts.append(_count(monkeypatch, agency, size))
    (invites_5, whole_5), (invites_50, whole_50) = counts
    assert invites_5 == invites_50, counts
    # The whole batch too (the later one may save a read intake's per-process caches hold).
    assert whole_50 <= whole_5, counts
    assert invites_5 <= 20, counts  # a handful of reads and one INSERT per table


# --- the same result as one call at a time -------------------------------------------------------


def _per_call(applied: Applied) -> None:
    """after_calls_cleared() as it was before it was set-based: invite() for each call."""
    cleared_now = {ev.call_id for ev in applied.events if ev.status == Status.CLEARED}
    for pk in sorted(cleared_now):
        call = applied.calls.get(pk)
        if call is None or call.historical or call.status != Status.CLEARED:
            continue
        if applied.status_before.get(pk) == Status.CLEARED:
            continue
        contact_id = call.caller_phone_id or call.caller_email_id
        if contact_id is None:
            continue
        survey = invite.survey_for(call.agency, When.CALL_CLEARED)
        if survey is None:
            continue
        contact = Contact.objects.get(pk=contact_id)
        invite.invite(
            survey,
            contact,
            call=call,
            language=invite.language_of(call.caller_language, call.agency),
        )


def _mixed_batch(agency: Agency, phones: str) -> None:
    """One batch with every case: asked in English, Spanish (two spellings) and an unknown
    language; by email; an opted-out phone; sensitive, juvenile, do-not-contact and switched-off
    calls; no contact; a call invited before the batch cleared it; a call not cleared; two calls
    sharing a unit and shift (the first one's CAD officers become the second one's roster); a
    unit the roster covers (the roster wins over the CAD)."""
    defaults.ensure(agency.pk)
    Survey.objects.filter(agency=agency).update(call_types_off=["415"])
    days = Shift.objects.create(agency=agency, name="Days", starts=time(6), ends=time(16))
    rostered = Officer.objects.create(agency=agency, badge="R900", name="Sgt. Roster")
    RosterEntry.objects.create(
        agency=agency, day=datetime(2026, 11, 22).date(), shift=days, unit="9A1", officer=rostered
    )
    # Invited before the batch clears it (say, by a retried job): no second invitation. And a
    # caller who texted STOP (an earlier call made their contact).
    with time_machine.travel(CLEARED, tick=False):
        _send(agency, _call_events("26-040010", caller={"phone": f"{phones}0010"}, cleared=False))
        _send(agency, _call_events("26-040020", caller={"phone": f"{phones}0009"}, cleared=False))
        stopped = Call.objects.get(agency=agency, incident_number="26-040020").caller_phone
        assert stopped is not None
        OptOut.objects.create(
            channel="sms", address_hash=stopped.address_hash, sender="x", source="test"
        )
        early = Call.objects.get(agency=agency, incident_number="26-040010")
        survey = invite.survey_for(agency, When.CALL_CLEARED)
        assert survey is not None
        contact = Contact.objects.get(pk=early.caller_phone_id)
        assert invite.invite(survey, contact, call=early) is not None

    def phone(n: int, **more: Any) -> dict[str, Any]:
        return {"phone": f"{phones}{n:04d}", **more}

    events = [
        *_call_events("26-040001", caller=phone(1, language="en"), units=[_unit("2A1", "P1")]),
        *_call_events(
            "26-040002", caller=phone(2, language="es"), units=[_unit("2A1", "P1", "P2")]
        ),
        *_call_events("26-040003", caller=phone(3, language="es-MX"), units=[_unit("9A1", "P3")]),
        *_call_events("26-040004", caller=phone(4, language="fr")),
        *_call_events("26-040005", caller={"email": "ana.ruiz@example.org", "language": "es"}),
        *_call_events("26-040006", caller=phone(6), call_type="273.5"),
        *_call_events("26-040007", caller=phone(7), juvenile=True),
        *_call_events("26-040008", caller=phone(8, do_not_contact=True)),
        *_call_events("26-040009", caller=phone(9), units=[_unit("3B1", "P9")]),
        _call_events("26-040010", caller=phone(10))[1],  # received in an earlier batch
        *_call_events("26-040011", caller={"language": "en"}),
        *_call_events("26-040012", caller=phone(12), call_type="415"),
        *_call_events("26-040013", caller=phone(13), cleared=False),
    ]
    with time_machine.travel(CLEARED, tick=False):
        _send(agency, events)


def _result(agency: Agency) -> dict[str, Any]:
    """What the batch planned, without ids, tokens or the agency."""
    invitations = {}
    for inv in Invitation.objects.filter(agency=agency).select_related(
        "call", "outbox", "contact", "shift", "outbox__rule"
    ):
        row = inv.outbox
        assert row is not None
        url = row.context["survey_url"]
        assert invite.token_hash(url.rstrip("/").rsplit("/", 1)[1]) == inv.token_hash
        invitations[inv.call.incident_number] = {  # type: ignore[union-attr]
            "when": inv.when,
            "reference": inv.reference,
            "language": inv.language,
            "channel": inv.contact.channel,
            "created": inv.created,
            "due_at": inv.due_at,
            "expires_at": inv.expires_at,
            "copied": (inv.beat, inv.district, inv.call_type, inv.priority, inv.call_taker),
            "units": inv.units,
            "shift": inv.shift.name if inv.shift else None,
            "officers": sorted(inv.officers.values_list("badge", flat=True)),
            "outbox": (
                row.channel, row.state, row.reason, row.priority, row.due_at, row.expires_at,
                row.language, row.rule.name if row.rule else None, row.sender_id is not None,
                {k: v for k, v in row.context.items() if k != "survey_url"}, row.created,
                row.dedupe_key.split(":")[1:3],
            ),
        }  # fmt: skip
    rows = Outbox.objects.filter(agency=agency, trigger=Trigger.SURVEY)
    return {
        "invitations": invitations,
        "survey_rows": sorted(r.call.incident_number for r in rows.select_related("call")),  # type: ignore[union-attr]
        "officers": sorted(Officer.objects.filter(agency=agency).values_list("badge", "name")),
        "roster": sorted(
            RosterEntry.objects.filter(agency=agency).values_list(
                "day", "shift__name", "unit", "officer__badge", "source"
            )
        ),
    }


@pytest.mark.django_db
def test_a_mixed_batch_gets_what_one_call_at_a_time_gave(monkeypatch):
    batch = make_agency(slug="setbased", name="Set based", ori="CA0159501")
    _mixed_batch(batch, "661-555-")
    monkeypatch.setattr(invite, "after_calls_cleared", _per_call)
    one_by_one = make_agency(slug="percall", name="Per call", ori="CA0159502")
    _mixed_batch(one_by_one, "661-556-")
    got, expected = _result(batch), _result(one_by_one)
    assert got == expected

    invitations = got["invitations"]
    # Who is asked: the mapped, not sensitive calls with a contact, once each.
    assert sorted(invitations) == [
        "26-040001", "26-040002", "26-040003", "26-040004", "26-040005", "26-040009",
        "26-040010",
    ]  # fmt: skip
    assert got["survey_rows"] == sorted(invitations)
    assert {n: i["language"] for n, i in invitations.items()} == {
        "26-040001": "en", "26-040002": "es", "26-040003": "es", "26-040004": "en",
        "26-040005": "es", "26-040009": "en", "26-040010": "en",
    }  # fmt: skip
    assert invitations["26-040005"]["channel"] == "email"
    assert invitations["26-040009"]["channel"] == "sms"  # opted out: the worker suppresses it
    # The invitation made before the batch stands: made at the first batch, not this one.
    assert invitations["26-040010"]["officers"] == []
    # The second call of unit 2A1 reads the roster the first one's CAD officers wrote.
    assert invitations["26-040001"]["officers"] == ["P1"]
    assert invitations["26-040002"]["officers"] == ["P1"]
    assert invitations["26-040003"]["officers"] == ["R900"]  # the roster wins over the CAD
    assert invitations["26-040001"]["shift"] == "Days"
    assert ("P2", "Ofc. P2") not in got["officers"]
