import pytest

from porchlight.calls.models import Call, Event, Quarantine
from standins.builders import cad_event, make_key


@pytest.mark.django_db
def test_same_event_twice_is_a_duplicate(send):
    first = send(cad_event(1))
    again = send(cad_event(1))
    assert first["results"][0]["result"] == "applied"
    assert again["results"][0]["result"] == "duplicate"
    assert Event.objects.count() == 1 and Call.objects.count() == 1


@pytest.mark.django_db
def test_key_order_does_not_make_a_conflict(send):
    event = cad_event(1)
    send(event)
    reordered = dict(reversed(list(event.items())))
    assert send(reordered)["results"][0]["result"] == "duplicate"


@pytest.mark.django_db
def test_same_id_other_content_is_a_conflict_recorded_not_applied(send):
    send(cad_event(1, status="received"))
    r = send(cad_event(1, status="dispatched"))
    result = r["results"][0]
    assert result["result"] == "conflict"
    assert "different content" in result["reason"]
    assert Call.objects.get().status == "received"
    q = Quarantine.objects.get()
    assert q.kind == Quarantine.Kind.CONFLICT and q.raw["status"] == "dispatched"


@pytest.mark.django_db
def test_duplicates_inside_one_batch(send):
    r = send(cad_event(1), cad_event(1), cad_event(1, status="onscene"))
    assert [x["result"] for x in r["results"]] == ["applied", "duplicate", "conflict"]
    assert Event.objects.count() == 1


@pytest.mark.django_db
def test_idempotency_is_per_source(client, agency, send):
    send(cad_event(1))
    _, rms_key = make_key(agency, source="rms")
    r = client.post(
        "/api/v1/agencies/bakersfield/cad/events",
        {"events": [cad_event(1, status="dispatched", at="2026-11-22T14:20:00-08:00")]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {rms_key}",
    )
    assert r.json()["results"][0]["result"] == "applied"
    assert set(Event.objects.values_list("source", flat=True)) == {"cad", "rms"}
    assert Call.objects.get().status == "dispatched"
