"""Staff stop messages for a call or a number, and pause the agency's non-urgent messages.

Pending rows are suppressed at once with the reason; every stop, resume, pause and search by
number is audited; read-only staff and other agencies cannot.
"""

import pytest
from django.test import Client

from porchlight.audit.models import AuditEntry
from porchlight.calls.models import Call
from porchlight.notify.models import DeliverySettings, Hold, Outbox, State
from porchlight.notify.tests.conftest import received
from standins.browser import client_login, make_staff
from standins.builders import make_agency

HOME = "/console/messages/"


@pytest.fixture
def call(call_in):
    call_in(received())
    return Call.objects.get()


@pytest.mark.django_db
def test_the_call_page_shows_every_message_and_why(staff_client, call):
    Outbox.objects.filter(trigger="call.delayed").update(
        state=State.SUPPRESSED, reason="dispatched before the delay notice was due"
    )
    page = staff_client("readonly").get(HOME, {"incident": call.incident_number}).content.decode()
    assert "Call received" in page and "Delay past threshold" in page
    # In the page's words (porchlight/reasons.py), the stored code unchanged.
    assert "Dispatched before the delay notice was due." in page
    assert "…0142" in page and "555-0142" not in page  # the number is masked
    assert "Stop all messages for this call" not in page  # read-only staff cannot stop


@pytest.mark.django_db
def test_stopping_a_call_suppresses_its_pending_messages_and_is_audited(staff_client, call):
    client = staff_client("supervisor")
    r = client.post(
        "/console/messages/stop/", {"call": call.pk, "reason": "caller's safety", "next": HOME}
    )
    assert r.status_code == 302
    hold = Hold.objects.get()
    assert hold.call == call and hold.reason == "caller's safety" and hold.lifted_at is None
    assert set(Outbox.objects.values_list("state", "reason")) == {
        (State.SUPPRESSED, "stopped by staff")
    }
    entry = AuditEntry.objects.get(action="messages.stop")
    assert entry.actor == client.login_info.user
    assert entry.changes["call"] == call.pk and entry.changes["pending_suppressed"] == 2

    r = client.post(f"/console/messages/stop/{hold.pk}/resume/")
    hold.refresh_from_db()
    assert hold.lifted_at is not None
    assert AuditEntry.objects.filter(action="messages.resume").count() == 1
    # Resuming twice changes nothing and logs nothing more.
    client.post(f"/console/messages/stop/{hold.pk}/resume/")
    assert AuditEntry.objects.filter(action="messages.resume").count() == 1


@pytest.mark.django_db
def test_a_number_is_found_by_its_digits_and_stopped(staff_client, call):
    client = staff_client("supervisor")
    page = client.get(HOME, {"number": "(661) 555-0142"}).content.decode()
    assert "Messages to …0142" in page
    search = AuditEntry.objects.get(action="contact.search")
    assert search.changes == {"found": [call.caller_phone_id]}
    client.post("/console/messages/stop/", {"contact": call.caller_phone_id, "reason": "asked"})
    assert Hold.objects.get().contact_id == call.caller_phone_id
    assert not Outbox.objects.filter(state__in=(State.PLANNED, State.SCHEDULED)).exists()


@pytest.mark.django_db
def test_a_stop_needs_a_reason_and_a_target(staff_client, call):
    client = staff_client("supervisor")
    client.post("/console/messages/stop/", {"call": call.pk, "reason": " "})
    client.post("/console/messages/stop/", {"reason": "no target"})
    assert not Hold.objects.exists()
    assert not AuditEntry.objects.filter(action="messages.stop").exists()


@pytest.mark.django_db
def test_read_only_staff_and_other_agencies_cannot_stop(staff_client, call, agency):
    assert (
        staff_client("readonly")
        .post("/console/messages/stop/", {"call": call.pk, "reason": "x"})
        .status_code
        == 403
    )
    other = make_agency(slug="kern", name="Kern County Sheriff", ori="CA0150000")
    stranger = Client()
    client_login(stranger, make_staff(other, role="supervisor", username="kern-sup"))
    assert (
        stranger.post("/console/messages/stop/", {"call": call.pk, "reason": "x"}).status_code
        == 404
    )
    page = stranger.get(HOME, {"incident": call.incident_number}).content.decode()
    assert "No call with incident number" in page
    assert not Hold.objects.exists()


@pytest.mark.django_db
def test_pause_and_resume_the_agency_are_audited(staff_client, agency):
    client = staff_client("supervisor")
    client.post("/console/messages/pause/", {"action": "pause", "reason": "mass-casualty event"})
    delivery = DeliverySettings.objects.get(agency=agency)
    assert delivery.paused_at is not None and delivery.paused_reason == "mass-casualty event"
    page = client.get(HOME).content.decode()
    assert "Paused" in page and "mass-casualty event" in page
    client.post("/console/messages/pause/", {"action": "resume"})
    delivery.refresh_from_db()
    assert delivery.paused_at is None
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["messages.pause", "messages.unpause"]


@pytest.mark.django_db
def test_a_pause_needs_a_reason(staff_client, agency):
    staff_client("supervisor").post("/console/messages/pause/", {"action": "pause"})
    assert DeliverySettings.for_agency(agency.pk).paused_at is None
