import pytest

from porchlight.agencies.models import StatusCode
from porchlight.audit.models import AuditEntry
from porchlight.calls import replay as replays
from porchlight.calls.models import Call, Event, Quarantine
from standins.builders import cad_event, make_agency, make_key


@pytest.fixture
def held(send):
    """One event quarantined for an unmapped CAD status code."""
    body = send(cad_event(1, status="DISP", caller={"phone": "661-555-0100"}))
    assert body["rejected"] == 1
    return Quarantine.objects.get()


@pytest.mark.django_db
def test_replay_after_mapping_applies_the_event_and_resolves_the_item(held, agency):
    StatusCode.objects.create(agency=agency, code="DISP", status="dispatched")

    result = replays.replay(held)

    held.refresh_from_db()
    assert held.state == Quarantine.State.REPLAYED
    assert held.resolved_at is not None
    assert held.resolution.startswith("applied: created call 26-000001")
    assert [i.pk for i in result.resolved] == [held.pk]
    call = Call.objects.get(incident_number="26-000001")
    assert call.status == "dispatched"
    # The stored raw event kept the caller: replay restores what the API would have applied.
    assert call.caller_phone is not None
    event = Event.objects.get()
    assert (event.source, event.event_id) == ("cad", "evt-000001")
    assert (
        AuditEntry.objects.filter(action="quarantine.replay", target_id=str(held.pk))
        .get()
        .changes["result"]
        == "applied"
    )


@pytest.mark.django_db
def test_failed_replay_keeps_the_item_open_with_the_new_reason_and_adds_no_row(held):
    held.reason = "old reason"
    held.save()

    result = replays.replay(held)

    assert Quarantine.objects.count() == 1
    held.refresh_from_db()
    assert held.state == Quarantine.State.OPEN
    assert 'unknown status "DISP"' in held.reason
    assert [i.pk for i in result.still_open] == [held.pk]
    assert not Call.objects.exists()
    assert AuditEntry.objects.get(action="quarantine.replay").changes["result"] == "rejected"


@pytest.mark.django_db
def test_replaying_an_event_already_applied_resolves_it_as_a_duplicate(held, agency, send):
    StatusCode.objects.create(agency=agency, code="DISP", status="dispatched")
    # The CAD resent the event after the mapping was added, before anyone replayed.
    assert send(cad_event(1, status="DISP", caller={"phone": "661-555-0100"}))["applied"] == 1

    replays.replay(held)

    held.refresh_from_db()
    assert held.state == Quarantine.State.REPLAYED
    assert held.resolution.startswith("duplicate")
    assert Event.objects.count() == 1


@pytest.mark.django_db
def test_an_item_no_longer_open_is_skipped(held, agency):
    StatusCode.objects.create(agency=agency, code="DISP", status="dispatched")
    assert replays.discard(held, "test event")

    result = replays.replay(held)

    assert result.skipped == 1 and not result.resolved
    assert not Call.objects.exists()
    held.refresh_from_db()
    assert held.state == Quarantine.State.DISCARDED
    assert not replays.discard(held, "again")


@pytest.mark.django_db
def test_bulk_replay_groups_by_source_and_keeps_each_items_own_source(agency, send, client):
    _, drop_key = make_key(agency, source="dropfolder")
    send(
        cad_event(1, status="DISP", incident="26-000001"),
        cad_event(2, status="ARV", incident="26-000002"),
    )
    r = client.post(
        "/api/v1/agencies/bakersfield/cad/events",
        {"events": [cad_event(1, status="DISP", incident="26-000003")]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {drop_key}",
    )
    assert r.json()["rejected"] == 1
    StatusCode.objects.create(agency=agency, code="DISP", status="dispatched")

    result = replays.replay_many(Quarantine.objects.values_list("pk", flat=True))

    assert len(result.resolved) == 2 and len(result.still_open) == 1
    assert set(Event.objects.values_list("source", "event_id")) == {
        ("cad", "evt-000001"),
        ("dropfolder", "evt-000001"),
    }
    still = Quarantine.objects.get(state=Quarantine.State.OPEN)
    assert 'unknown status "ARV"' in still.reason
    assert AuditEntry.objects.filter(action="quarantine.replay").count() == 3


@pytest.mark.django_db
def test_replay_does_not_route_an_event_to_an_agency_its_item_never_covered(agency, send):
    make_agency(slug="kern", name="Kern County Sheriff", ori="CA0150000")
    send(cad_event(1, ori="CA0150000"))
    item = Quarantine.objects.get()

    replays.replay(item)

    item.refresh_from_db()
    assert item.state == Quarantine.State.OPEN
    assert "not covered" in item.reason
    assert not Call.objects.exists()


@pytest.mark.django_db
def test_affected_finds_open_items_carrying_a_code_case_insensitively(agency, send):
    send(
        cad_event(1, status="disp"),
        cad_event(2, status="ARV"),
        cad_event(3, status="DISP", incident="26-9"),
    )
    items = replays.affected(agency.pk, "status", "DISP")
    assert sorted(i.event_id for i in items) == ["evt-000001", "evt-000003"]
