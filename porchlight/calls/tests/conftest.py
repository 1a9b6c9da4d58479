import pytest

URL = "/api/v1/agencies/bakersfield/cad/events"


@pytest.fixture
def send(client, api_key):
    """POST a batch of events with a valid key; returns the parsed JSON body."""
    _, raw = api_key

    def send(*events, url=URL):
        r = client.post(
            url,
            {"events": list(events)},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        assert r.status_code == 200, r.content
        return r.json()

    return send
