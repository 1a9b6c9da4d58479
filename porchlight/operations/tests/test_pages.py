"""The operations pages: who sees them, what they show, and bad input answered with a reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from porchlight.audit.models import AuditEntry
from porchlight.demo.agency import make_agency
from porchlight.notify.models import Channel, Outbox
from porchlight.operations.models import LegalHold, RecordsSchedule, RetentionSettings
from porchlight.operations.tests.builders import cleared_call, post

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_intake_health_shows_feeds_quarantine_and_worker_lag(staff_client, agency):
    with time_machine.travel(NOW - timedelta(hours=2), tick=False) as clock:
        for i in range(3):
            post(agency, source="cad-west", incident=f"26-50000{i}")
            clock.shift(60)
    other = make_agency(slug="kern", ori="CA0150000", name="Kern County Sheriff")
    with time_machine.travel(NOW - timedelta(minutes=10), tick=False):
        post(other, source="kern-cad", incident="26-600000")
        # A rejected event: the quarantine card with its replay button.
        from porchlight.calls.intake import ingest
        from porchlight.operations.tests.builders import feed

        ingest(feed(agency, "cad-west"), [{"event_id": "bad-1", "incident_number": "26-1"}])
    contact_call = cleared_call(
        agency, "26-700000", NOW - timedelta(minutes=30), phone="+16615550101"
    )
    Outbox.objects.filter(contact_id=contact_call.caller_phone_id).update(
        state="planned", due_at=NOW - timedelta(minutes=5)
    )
    client = staff_client("readonly")
    with time_machine.travel(NOW, tick=False):
        page = client.get("/console/operations/intake/").content.decode()
    assert "cad-west" in page and "kern-cad" not in page  # scoped to the agency
    assert "The cad-west feed is silent." not in page  # still learning: a 6-hour default gap
    assert "1 open event" in page
    assert "Replay the cad-west events" not in page  # read-only staff may not replay
    assert "300 s" in page  # the SMS row's oldest due message waited 5 minutes
    assert Channel.SMS.label in page


@pytest.mark.django_db
def test_retention_is_for_admins_and_records_staff(staff_client):
    assert (
        staff_client("readonly", username="r1").get("/console/operations/retention/").status_code
        == 403
    )


@pytest.mark.django_db
def test_records_staff_place_and_release_a_hold_but_only_admins_set_the_policy(
    staff_client, agency
):
    cleared_call(agency, "26-800000", NOW - timedelta(days=200), phone="+16615550102")
    client = staff_client("records")
    page = client.get("/console/operations/retention/")
    assert page.status_code == 200
    assert "26-800000" in page.content.decode()  # due for purge

    bad = client.post(
        "/console/operations/holds/", {"target": "phone", "value": "12", "reason": "Claim"}
    )
    assert bad.status_code == 400 and "That is not a phone number." in bad.content.decode()
    missing = client.post(
        "/console/operations/holds/", {"target": "case", "value": "C99", "reason": "Claim"}
    )
    assert missing.status_code == 400 and "No case has that number." in missing.content.decode()
    ok = client.post(
        "/console/operations/holds/",
        {"target": "phone", "value": "(661) 555-0102", "reason": "Claim 24-7"},
    )
    assert ok.status_code == 302
    hold = LegalHold.objects.get()
    assert hold.contact is not None and hold.reason == "Claim 24-7"
    assert "555-0102" not in str(AuditEntry.objects.get(action="operations.hold.place").changes)

    assert client.post(f"/console/operations/holds/{hold.pk}/release/", {}).status_code == 400
    assert (
        client.post(
            f"/console/operations/holds/{hold.pk}/release/", {"reason": "Settled"}
        ).status_code
        == 302
    )
    hold.refresh_from_db()
    assert hold.released_at is not None and hold.release_reason == "Settled"

    policy = {"purge_after_days": "90", "min_call": "365", "min_case": "", "min_report": ""}
    assert client.post("/console/operations/retention/policy/", policy).status_code == 403


@pytest.mark.django_db
def test_an_admin_sets_the_purge_time_and_the_records_schedule(staff_client, agency):
    client = staff_client("admin")
    bad = client.post("/console/operations/retention/policy/", {"purge_after_days": "0"})
    assert bad.status_code == 400
    policy = {"purge_after_days": "90", "min_call": "365", "min_case": "", "min_report": "730"}
    assert client.post("/console/operations/retention/policy/", policy).status_code == 302
    assert RetentionSettings.days_for(agency.pk) == 90
    assert dict(RecordsSchedule.objects.values_list("kind", "min_days")) == {
        "call": 365,
        "report": 730,
    }
    entry = AuditEntry.objects.get(action="operations.retention.change")
    assert entry.changes["purge_after_days"] == [180, 90]


@pytest.mark.django_db
def test_staff_of_another_agency_cannot_release_a_hold(staff_client, agency):
    other = make_agency(slug="kern", ori="CA0150000", name="Kern County Sheriff")
    call = cleared_call(other, "26-900000", timezone.now())
    hold = LegalHold.objects.create(agency=other, call=call, reason="x")
    client = staff_client("admin")
    r = client.post(f"/console/operations/holds/{hold.pk}/release/", {"reason": "mine now"})
    assert r.status_code == 404
