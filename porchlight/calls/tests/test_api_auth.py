import pytest

from standins.builders import cad_event, make_agency, make_key

URL = "/api/v1/agencies/bakersfield/cad/events"


def post(client, body, key=None, url=URL):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return client.post(url, body, content_type="application/json", **headers)


@pytest.mark.django_db
def test_missing_key_is_401(client, agency):
    r = post(client, {"events": [cad_event()]})
    assert r.status_code == 401
    assert "API key" in r.json()["detail"]


@pytest.mark.django_db
def test_wrong_key_is_401(client, agency, api_key):
    r = post(client, {"events": [cad_event()]}, key="pl_not-a-real-key")
    assert r.status_code == 401


@pytest.mark.django_db
def test_revoked_key_is_401(client, agency, api_key):
    from django.utils import timezone

    key, raw = api_key
    key.revoked_at = timezone.now()
    key.save()
    assert post(client, {"events": [cad_event()]}, key=raw).status_code == 401


@pytest.mark.django_db
def test_x_api_key_header_works(client, agency, api_key):
    _, raw = api_key
    r = client.post(
        URL, {"events": [cad_event()]}, content_type="application/json", HTTP_X_API_KEY=raw
    )
    assert r.status_code == 200


@pytest.mark.django_db
def test_other_agency_key_is_403(client, agency):
    other = make_agency(slug="kern", name="Kern County Sheriff", ori="CA0150000")
    _, raw = make_key(other)
    r = post(client, {"events": [cad_event()]}, key=raw)
    assert r.status_code == 403
    assert "does not cover" in r.json()["detail"]


@pytest.mark.django_db
def test_unknown_agency_is_404(client, agency, api_key):
    _, raw = api_key
    r = post(client, {"events": [cad_event()]}, key=raw, url="/api/v1/agencies/nowhere/cad/events")
    assert r.status_code == 404


@pytest.mark.django_db
def test_key_is_stored_hashed(agency, api_key):
    key, raw = api_key
    key.refresh_from_db()
    assert raw not in (key.key_hash, key.prefix) and len(key.key_hash) == 64
    assert raw.startswith(key.prefix)
