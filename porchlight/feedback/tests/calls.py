"""Calls for the feedback tests, sent through calls intake as a CAD would send them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from porchlight.calls.intake import Feed, ingest
from porchlight.calls.models import Call
from standins.builders import cad_event

PACIFIC = ZoneInfo("America/Los_Angeles")
# cleared_call's call clears at 15:05 (agency time); its survey is asked, then answered.
CLEARED = datetime(2026, 11, 22, 15, 6, tzinfo=PACIFIC)
NEXT_DAY = datetime(2026, 11, 23, 16, 0, tzinfo=PACIFIC)
PHONE = "661-555-0142"
EMAIL = "ana.ruiz@example.org"
UNIT = "2A31"
BADGE = "P4471"
OFFICER = "Ofc. Daniel Reyes"


def cleared_call(
    agency: Any,
    incident: str = "26-020001",
    *,
    call_type: str = "459R",
    language: str = "en",
    phone: str | None = PHONE,
    email: str | None = None,
    beat: str = "B12",
    day: str = "2026-11-22",
    **extra: Any,
) -> Call:
    """A call received at 14:14 and cleared at 15:05 (agency time), with one unit and officer."""
    caller: dict[str, Any] = {"language": language}
    if extra.pop("do_not_contact", False):
        caller["do_not_contact"] = True
    if phone:
        caller["phone"] = phone
    if email:
        caller["email"] = email
    unit = {"id": UNIT, "officers": [{"id": BADGE, "name": OFFICER}]}
    first = cad_event(
        1,
        incident=incident,
        at=f"{day}T14:14:00-08:00",
        call_type=call_type,
        call_taker_id="CT114",
        location={"address": "1501 Truxtun Ave", "beat": beat, "district": "D2"},
        caller=caller,
        **extra,
    )
    first["event_id"] = f"{incident}:1"
    last = cad_event(
        2,
        incident=incident,
        status="cleared",
        at=f"{day}T15:05:00-08:00",
        call_type=call_type,
        units=[unit],
        disposition="RPT",
    )
    last["event_id"] = f"{incident}:2"
    outcomes, _ = ingest(
        Feed(agency=agency, source="cad", covered={agency.ori: agency}), [first, last]
    )
    assert all(o.result == "applied" for o in outcomes), outcomes
    return Call.objects.select_related("agency", "call_type").get(
        agency=agency, incident_number=incident
    )


def survey_path(call: Call) -> str:
    """The survey link's path, as the invitation text carries it."""
    from porchlight.feedback.models import Invitation

    url = Invitation.objects.get(call=call).outbox.context["survey_url"]  # type: ignore[union-attr]
    return "/s/" + url.split("/s/", 1)[1]


def questions(call: Call) -> dict[str, str]:
    """The form field of each default question, by what it measures."""
    from porchlight.feedback.models import Invitation

    survey = Invitation.objects.get(call=call).survey
    return {q.about: f"q{q.pk}" for q in survey.questions.all()}


def answer(client: Any, call: Call, **by_about: str) -> None:
    """Answer the call's survey the next day, each question by what it measures."""
    q = questions(call)
    with time_machine.travel(NEXT_DAY, tick=False):
        r = client.post(survey_path(call), {q[k]: v for k, v in by_about.items()})
    assert r.status_code == 302, r.content
