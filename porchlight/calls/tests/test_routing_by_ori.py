import pytest

from porchlight.calls.models import Call, Quarantine
from standins.builders import cad_event, make_agency, make_key


@pytest.fixture
def consolidated(agency):
    """A county dispatch center whose key also covers the city police."""
    city = make_agency(slug="delano", name="Delano Police Department", ori="CA0150300")
    far = make_agency(slug="fresno", name="Fresno Police Department", ori="CA0100500")
    key, raw = make_key(agency, source="county-cad", covers=[city])
    return city, far, raw


def post(client, raw, slug, *events):
    return client.post(
        f"/api/v1/agencies/{slug}/cad/events",
        {"events": list(events)},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )


@pytest.mark.django_db
def test_one_feed_routes_events_by_ori(client, agency, consolidated):
    city, _, raw = consolidated
    r = post(
        client,
        raw,
        "bakersfield",
        cad_event(1, incident="A-1"),
        cad_event(2, incident="C-1", ori="CA0150300"),
    )
    assert [x["result"] for x in r.json()["results"]] == ["applied", "applied"]
    assert Call.objects.get(incident_number="A-1").agency == agency
    assert Call.objects.get(incident_number="C-1").agency == city


@pytest.mark.django_db
def test_uncovered_ori_is_rejected_inside_the_200(client, agency, consolidated):
    _, far, raw = consolidated
    r = post(client, raw, "bakersfield", cad_event(1, incident="F-1", ori="CA0100500"))
    assert r.status_code == 200
    result = r.json()["results"][0]
    assert result["result"] == "rejected" and "CA0100500" in result["reason"]
    assert not Call.objects.filter(agency=far).exists()
    assert Quarantine.objects.get().agency == agency


@pytest.mark.django_db
def test_consolidated_key_may_post_under_a_covered_agency(client, agency, consolidated):
    city, _, raw = consolidated
    r = post(client, raw, "delano", cad_event(1, incident="C-9"))
    assert r.status_code == 200
    assert Call.objects.get().agency == city


@pytest.mark.django_db
def test_same_incident_number_in_two_agencies_is_two_calls(client, agency, consolidated):
    _, _, raw = consolidated
    post(
        client,
        raw,
        "bakersfield",
        cad_event(1, incident="26-1"),
        cad_event(2, incident="26-1", ori="CA0150300"),
    )
    assert Call.objects.filter(incident_number="26-1").count() == 2
