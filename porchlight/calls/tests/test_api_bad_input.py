import pytest

from porchlight.calls.models import Call, Quarantine
from standins.builders import cad_event

URL = "/api/v1/agencies/bakersfield/cad/events"


@pytest.fixture
def send(client, api_key):
    _, raw = api_key

    def send(body, content_type="application/json"):
        return client.post(URL, body, content_type=content_type, HTTP_AUTHORIZATION=f"Bearer {raw}")

    return send


@pytest.mark.parametrize(
    "body, reason",
    [
        ("{not json", "not valid JSON"),
        ("", "not valid JSON"),
        ("[1, 2]", '"events" list'),
        ('{"events": {}}', '"events" list'),
        ('{"events": []}', "between 1 and 1000"),
    ],
)
@pytest.mark.django_db
def test_unparseable_body_is_400_with_reason(send, body, reason):
    r = send(body)
    assert r.status_code == 400
    assert reason in r.json()["detail"]
    assert not Quarantine.objects.exists()


@pytest.mark.django_db
def test_more_than_1000_events_is_400(send):
    r = send({"events": [cad_event(i) for i in range(1001)]})
    assert r.status_code == 400
    assert "1001" in r.json()["detail"]


@pytest.mark.parametrize(
    "bad, reason",
    [
        ({"event_time": "2026-11-22T14:14:00"}, "event_time"),  # no zone
        ({"event_time": "yesterday"}, "event_time"),
        ({"incident_number": ""}, "incident_number"),
        ({"event_id": None}, "event_id"),
        ({"location": {"lat": 123.0, "lon": 0}}, "location.lat"),
        ({"units": [{"officers": []}]}, "units.0.id"),
        ({"juvenile": "maybe"}, "juvenile"),
        ({"caller": {"language": "english please"}}, "caller.language"),
    ],
)
@pytest.mark.django_db
def test_invalid_event_is_rejected_alone_and_quarantined(send, bad, reason):
    good = cad_event(1, incident="26-000001")
    broken = cad_event(2, incident="26-000002")
    broken.update(bad)
    r = send({"events": [good, broken]})
    assert r.status_code == 200
    body = r.json()
    assert [x["result"] for x in body["results"]] == ["applied", "rejected"]
    assert reason in body["results"][1]["reason"]
    assert body["applied"] == 1 and body["rejected"] == 1
    q = Quarantine.objects.get()
    assert q.raw == broken  # kept whole
    assert reason in q.reason
    assert Call.objects.filter(incident_number="26-000001").exists()


@pytest.mark.django_db
def test_event_that_is_not_an_object_is_rejected(send):
    r = send({"events": ["hello", cad_event()]})
    results = r.json()["results"]
    assert results[0]["result"] == "rejected" and "JSON object" in results[0]["reason"]
    assert results[1]["result"] == "applied"
    assert Quarantine.objects.get().raw == "hello"


@pytest.mark.django_db
def test_unknown_status_is_quarantined_with_mapping_hint(send):
    r = send({"events": [cad_event(status="ARV")]})
    result = r.json()["results"][0]
    assert result["result"] == "rejected"
    assert '"ARV"' in result["reason"] and "Status codes" in result["reason"]
    assert Quarantine.objects.get().event_id == "evt-000001"


@pytest.mark.django_db
def test_bad_phone_is_a_warning_not_a_rejection(send):
    r = send({"events": [cad_event(caller={"phone": "12"})]})
    result = r.json()["results"][0]
    assert result["result"] == "applied"
    assert "caller.phone" in result["warnings"][0]
    assert Call.objects.get().caller_phone is None
