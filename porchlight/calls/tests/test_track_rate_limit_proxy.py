"""Behind a reverse proxy, the track page's limit is per client, not per proxy."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from porchlight.calls.tests.track_calls import apply, path_of, received
from porchlight.calls.track import link_for

NOON = datetime(2026, 11, 23, 20, 0, 5, tzinfo=UTC)
PROXY = "10.0.0.5"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = "10.0.0.0/8"


def test_two_clients_behind_the_proxy_get_separate_limits(client, agency, behind_proxy):
    with time_machine.travel(NOON, tick=False):
        path = path_of(link_for(apply(agency, received())))
        for _ in range(30):
            r = client.get(path, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")
            assert r.status_code == 200
        blocked = client.get(path, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")
        assert blocked.status_code == 429
        # Another caller arriving through the same proxy still reads their page.
        other = client.get(path, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.20")
        assert other.status_code == 200


def test_a_client_cannot_escape_the_limit_by_forging_the_header(client, agency, behind_proxy):
    with time_machine.travel(NOON, tick=False):
        path = path_of(link_for(apply(agency, received())))
        # Straight to Porchlight, past the proxy, a new made-up address each time: ignored.
        codes = [
            client.get(
                path, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"
            ).status_code
            for n in range(31)
        ]
        assert codes == [200] * 30 + [429]
        # Through the proxy, what the client wrote comes before what the proxy appended.
        forged = client.get(
            path, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.7"
        )
        assert forged.status_code == 429
