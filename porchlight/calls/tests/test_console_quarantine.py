"""The quarantine pages: list, filters, detail with masked PII, replay and discard."""

import html
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from porchlight.agencies.models import StatusCode
from porchlight.audit.models import AuditEntry
from porchlight.calls.models import Call, Quarantine
from standins.builders import cad_event


@pytest.fixture
def held(send):
    send(
        cad_event(
            1, status="DISP", caller={"phone": "(661) 555-0123", "email": "maria.lopez@example.org"}
        )
    )
    item = Quarantine.objects.get()
    item.arrived_at = datetime(2026, 11, 22, 22, 14, tzinfo=UTC)
    item.save()
    return item


@pytest.mark.django_db
def test_list_shows_open_items_with_arrival_in_the_agencys_time_zone(staff_client, held, send):
    send(cad_event(2, incident="26-000002", status="ARV"))
    gone = Quarantine.objects.exclude(pk=held.pk).get()
    gone.state = Quarantine.State.DISCARDED
    gone.save()

    page = staff_client("readonly").get("/console/quarantine/").content.decode()

    assert "2026-11-22 14:14 PST" in page  # 22:14 UTC in Bakersfield
    assert (
        "evt-000001" in page and "26-000001" in page and "Unknown status &quot;DISP&quot;" in page
    )
    assert "evt-000002" not in page


@pytest.mark.django_db
def test_filters_by_state_kind_and_source(staff_client, held, send):
    held.state = Quarantine.State.REPLAYED
    held.save()
    send(cad_event(2, incident="26-000002", status="ARV"))
    client = staff_client("readonly")

    assert "evt-000001" in client.get("/console/quarantine/?state=replayed").content.decode()
    assert "evt-000001" not in client.get("/console/quarantine/?state=open").content.decode()
    assert (
        "evt-000002"
        not in client.get("/console/quarantine/?state=open&kind=conflict").content.decode()
    )
    assert "evt-000002" in client.get("/console/quarantine/?state=open&source=cad").content.decode()
    assert (
        "evt-000002"
        not in client.get("/console/quarantine/?state=open&source=dropfolder").content.decode()
    )


@pytest.mark.django_db
def test_a_bad_filter_is_a_400_that_says_why(staff_client):
    r = staff_client("readonly").get("/console/quarantine/?state=exploded")
    assert r.status_code == 400
    assert "Select a valid choice" in r.content.decode()


@pytest.mark.django_db
def test_detail_masks_the_callers_phone_and_email_and_audits_the_read(staff_client, held):
    client = staff_client("readonly")
    page = html.unescape(client.get(f"/console/quarantine/{held.pk}/").content.decode())

    assert "…0123" in page and "m…@example.org" in page
    assert "555-0123" not in page and "maria.lopez" not in page
    assert '"incident_number": "26-000001"' in page
    entry = AuditEntry.objects.get(action="quarantine.view")
    assert entry.target_id == str(held.pk) and entry.actor_label == "readonly"


@pytest.mark.django_db
def test_detail_offers_the_missing_status_mapping_to_admins(staff_client, held):
    page = staff_client("admin").get(f"/console/quarantine/{held.pk}/").content.decode()
    assert "/console/status-codes/new/?code=DISP" in page


@pytest.mark.django_db
def test_replay_from_the_detail_page_resolves_the_item(staff_client, held, agency):
    StatusCode.objects.create(agency=agency, code="DISP", status="dispatched")
    client = staff_client("supervisor")

    r = client.post(f"/console/quarantine/{held.pk}/replay/", follow=True)

    assert "1 event replayed and resolved." in r.content.decode()
    held.refresh_from_db()
    assert held.state == Quarantine.State.REPLAYED
    assert Call.objects.get().status == "dispatched"
    assert AuditEntry.objects.get(action="quarantine.replay").actor_label == "supervisor"


@pytest.mark.django_db
def test_a_replay_rejected_again_says_why(staff_client, held):
    r = staff_client("supervisor").post(f"/console/quarantine/{held.pk}/replay/", follow=True)
    assert "rejected again" in r.content.decode()
    held.refresh_from_db()
    assert held.state == Quarantine.State.OPEN


@pytest.mark.django_db
def test_bulk_replay_of_selected_and_of_all_open(staff_client, held, send, agency):
    send(
        cad_event(2, incident="26-000002", status="DISP"),
        cad_event(3, incident="26-000003", status="DISP"),
    )
    StatusCode.objects.create(agency=agency, code="DISP", status="dispatched")
    client = staff_client("supervisor")
    two = Quarantine.objects.get(event_id="evt-000002")

    client.post("/console/quarantine/replay/", {"ids": [two.pk]})
    assert set(Quarantine.objects.filter(state="open").values_list("event_id", flat=True)) == {
        "evt-000001",
        "evt-000003",
    }

    client.post("/console/quarantine/replay/", {"all": "1", "kind": "", "source": ""})
    assert not Quarantine.objects.filter(state="open").exists()
    assert Call.objects.count() == 3


@pytest.mark.django_db
def test_bulk_replay_with_nothing_selected_or_a_bad_id_says_so(staff_client, held):
    client = staff_client("supervisor")
    assert (
        "Select at least one"
        in client.post("/console/quarantine/replay/", follow=True).content.decode()
    )
    r = client.post("/console/quarantine/replay/", {"ids": ["x"]}, follow=True)
    assert "not valid" in r.content.decode()


@pytest.mark.django_db
def test_discard_needs_a_reason_and_is_audited(staff_client, held):
    client = staff_client("supervisor")

    r = client.post(f"/console/quarantine/{held.pk}/discard/", {"reason": ""})
    assert r.status_code == 400
    assert "This field is required" in r.content.decode()
    held.refresh_from_db()
    assert held.state == Quarantine.State.OPEN

    client.post(f"/console/quarantine/{held.pk}/discard/", {"reason": "CAD vendor test event"})
    held.refresh_from_db()
    assert held.state == Quarantine.State.DISCARDED and held.resolution == "CAD vendor test event"
    assert AuditEntry.objects.get(action="quarantine.discard").changes == {
        "reason": "CAD vendor test event"
    }


@pytest.mark.django_db
def test_next_never_redirects_off_site(staff_client, held):
    r = staff_client("supervisor").post(
        f"/console/quarantine/{held.pk}/replay/", {"next": "https://evil.example/"}
    )
    assert r["Location"] == f"/console/quarantine/{held.pk}/"


@pytest.mark.django_db
def test_home_counts(staff_client, held, send):
    send(
        cad_event(
            5,
            incident="26-000005",
            call_type="NEWTYPE",
            priority="9Z",
            at=timezone.now().isoformat(),  # a recent call (a future one is implausible)
        )
    )
    page = staff_client("readonly").get("/console/").content.decode()
    assert "open event waiting for staff" in page
    assert "call type needs mapping" in page
    assert "priority code has no rank" in page
