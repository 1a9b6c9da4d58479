"""Low scores, or "please contact me", open a follow-up for the beat's supervisors, who work it
and can tell the person it was resolved."""

import pytest
import time_machine

from porchlight.audit.models import AuditEntry
from porchlight.feedback.models import BeatSupervisor, FollowUp
from porchlight.feedback.tests.calls import CLEARED, answer, cleared_call
from porchlight.notify.models import Outbox, State, Trigger


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        ({"overall": "1"}, "overall satisfaction rated 1 of 5"),
        ({"overall": "4", "officer": "2"}, "the officer rated 2 of 5"),
        ({"overall": "5", "call_taker": "1"}, "the call taker rated 1 of 5"),
        ({"overall": "5", "contact_me": "yes"}, "asked to be contacted"),
    ],
)
def test_low_scores_and_requests_open_a_follow_up(client, agency, answers, reason):
    with time_machine.travel(CLEARED, tick=False):
        call = cleared_call(agency)
    answer(client, call, **answers)
    follow_up = FollowUp.objects.get()
    assert follow_up.reason == reason
    assert follow_up.beat == "B12"
    assert follow_up.status == FollowUp.Status.OPEN


@pytest.mark.django_db
@pytest.mark.parametrize("answers", [{"overall": "3"}, {"overall": "5", "contact_me": "no"}])
def test_good_and_middling_scores_open_none(client, agency, answers):
    with time_machine.travel(CLEARED, tick=False):
        call = cleared_call(agency)
    answer(client, call, **answers)
    assert not FollowUp.objects.exists()


@pytest.mark.django_db
def test_the_beats_supervisor_works_it_and_the_person_is_told(client, agency, staff_client):
    with time_machine.travel(CLEARED, tick=False):
        call = cleared_call(agency)
        other = cleared_call(agency, "26-020002", beat="B40")
    answer(client, call, overall="1", different="Nobody called me back at 661-555-0199")
    answer(client, other, overall="1")
    supervisor = staff_client("supervisor")
    BeatSupervisor.objects.create(agency=agency, beat="B12", user=supervisor.login_info.user)

    mine = supervisor.get("/console/feedback/follow-ups/")
    assert mine.status_code == 200
    item = FollowUp.objects.get(beat="B12")
    assert f"/console/feedback/follow-ups/{item.pk}/".encode() in mine.content
    other_item = FollowUp.objects.get(beat="B40")
    # Another beat's item is not listed (its link, not a bare "B40" a CSRF token could hold).
    assert f"/console/feedback/follow-ups/{other_item.pk}/".encode() not in mine.content
    everyone = supervisor.get("/console/feedback/follow-ups/?all=1").content
    assert f"/console/feedback/follow-ups/{other_item.pk}/".encode() in everyone

    page = supervisor.get(f"/console/feedback/follow-ups/{item.pk}/")
    assert page.status_code == 200
    # A supervisor reads the comment with the phone number hidden; the read is audited.
    assert b"661-555-0199" not in page.content
    assert b"[phone hidden]" in page.content
    assert AuditEntry.objects.filter(action="feedback.follow_up.view").exists()

    base = f"/console/feedback/follow-ups/{item.pk}/"
    assert supervisor.post(base, {"action": "take"}).status_code == 302
    assert (
        supervisor.post(base, {"action": "note", "text": "Called her; apologised."}).status_code
        == 302
    )
    assert supervisor.post(base, {"action": "note", "text": "  "}).status_code == 400
    assert supervisor.post(base, {"action": "fly"}).status_code == 400
    assert supervisor.post(base, {"action": "resolve", "tell": "1"}).status_code == 302
    assert supervisor.post(base, {"action": "resolve"}).status_code == 400
    item.refresh_from_db()
    assert item.status == FollowUp.Status.RESOLVED
    assert item.owner == supervisor.login_info.user
    assert item.notes.get().text == "Called her; apologised."
    told = Outbox.objects.get(trigger=Trigger.FOLLOW_UP)
    assert item.told == told
    assert told.contact_id == call.caller_phone_id
    assert told.state in (State.PLANNED, State.SCHEDULED)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "feedback.follow_up.take",
        "feedback.follow_up.note",
        "feedback.follow_up.resolve",
    } <= actions


@pytest.mark.django_db
def test_admins_read_comments_as_typed(client, agency, staff_client):
    with time_machine.travel(CLEARED, tick=False):
        call = cleared_call(agency)
    answer(client, call, overall="1", different="Email me at ana.r@example.org")
    admin = staff_client("admin")
    page = admin.get(f"/console/feedback/follow-ups/{FollowUp.objects.get().pk}/")
    assert b"ana.r@example.org" in page.content


@pytest.mark.django_db
def test_read_only_staff_and_other_agencies_cannot_touch_it(client, agency, staff_client):
    from standins.builders import make_agency

    with time_machine.travel(CLEARED, tick=False):
        call = cleared_call(agency)
    answer(client, call, overall="1")
    item = FollowUp.objects.get()
    base = f"/console/feedback/follow-ups/{item.pk}/"
    reader = staff_client("readonly")
    assert reader.get(base).status_code == 200
    assert reader.post(base, {"action": "take"}).status_code == 403
    reader.logout()

    elsewhere = make_agency(name="Shafter Police Department", slug="shafter", ori="CA0150500")
    outsider = staff_client("admin", username="outsider", for_agency=elsewhere)
    assert outsider.get(base).status_code == 404
    assert outsider.post(base, {"action": "resolve"}).status_code == 404
    outsider.logout()
    assert client.get(base).status_code == 302  # anonymous: to the login page
    item.refresh_from_db()
    assert item.status == FollowUp.Status.OPEN
