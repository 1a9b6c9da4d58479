"""The quarantine page with a burst: what the hourly cap did not keep, and discard by reason."""

import pytest

from porchlight.audit.models import AuditEntry
from porchlight.calls.models import Quarantine
from standins.builders import cad_event


@pytest.fixture
def burst(send, settings):
    settings.QUARANTINE_MAX_PER_HOUR = 3
    send(*[cad_event(i, incident=f"26-{i:06d}", status="NOPE") for i in range(7)])
    send(cad_event(50, incident="26-000050", status="ARV"))  # over the cap too: not kept


@pytest.mark.django_db
def test_page_shows_not_kept_counts_and_common_reasons(staff_client, burst):
    page = staff_client("readonly").get("/console/quarantine/").content.decode()
    assert "4 more like these from cad were not kept" in page
    assert "1 more like these from cad were not kept" in page
    assert "3 open events" in page
    assert "Discard all 3" not in page  # read-only staff see, but cannot discard


@pytest.mark.django_db
def test_supervisor_discards_by_reason_and_it_is_audited(staff_client, burst, send, settings):
    settings.QUARANTINE_MAX_PER_HOUR = 100
    send(cad_event(60, incident="26-000060", status="ARV"))
    client = staff_client("supervisor")
    page = client.get("/console/quarantine/").content.decode()
    assert "Discard all 3" in page
    held_for = Quarantine.objects.filter(event_id="evt-000000").get().reason
    r = client.post(
        "/console/quarantine/discard-reason/",
        {"held_for": held_for, "reason": "fuzzer run by the vendor"},
        follow=True,
    )
    assert "3 events discarded." in r.content.decode()
    assert Quarantine.objects.filter(state="discarded").count() == 3
    assert Quarantine.objects.get(state="open").event_id == "evt-000060"
    entry = AuditEntry.objects.get(action="quarantine.discard_by_reason")
    assert entry.changes["count"] == 3 and entry.changes["reason"] == "fuzzer run by the vendor"


@pytest.mark.django_db
def test_bulk_discard_needs_a_reason(staff_client, burst):
    held_for = Quarantine.objects.first().reason
    r = staff_client("supervisor").post(
        "/console/quarantine/discard-reason/", {"held_for": held_for, "reason": ""}, follow=True
    )
    assert "nothing was discarded" in r.content.decode()
    assert not Quarantine.objects.filter(state="discarded").exists()


@pytest.mark.django_db
def test_bulk_discard_needs_write_rights(staff_client, burst):
    held_for = Quarantine.objects.first().reason
    r = staff_client("readonly").post(
        "/console/quarantine/discard-reason/", {"held_for": held_for, "reason": "x"}
    )
    assert r.status_code == 403
    assert not Quarantine.objects.filter(state="discarded").exists()
