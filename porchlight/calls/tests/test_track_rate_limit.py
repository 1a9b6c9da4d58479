"""Requests to /t/ are limited per IP address: guessing tokens is slow, callers are unaffected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from porchlight.calls.tests.track_calls import apply, path_of, received
from porchlight.calls.track import link_for

# A fixed instant early in a minute, so the 60-second window cannot roll over mid-test.
NOON = datetime(2026, 11, 23, 20, 0, 5, tzinfo=UTC)


def test_the_31st_request_in_a_minute_gets_429(client, agency):
    with time_machine.travel(NOON, tick=False):
        path = path_of(link_for(apply(agency, received())))
        codes = [client.get(path, REMOTE_ADDR="203.0.113.7").status_code for _ in range(30)]
        assert codes == [200] * 30
        r = client.get(path, REMOTE_ADDR="203.0.113.7")
        assert r.status_code == 429
        assert r["Retry-After"] == "60"
        assert "Too many requests" in r.content.decode()
        assert "Wait a minute, then try again." in r.content.decode()
        # Another address is not affected.
        assert client.get(path, REMOTE_ADDR="198.51.100.20").status_code == 200
    with time_machine.travel(NOON + timedelta(minutes=1), tick=False):
        assert client.get(path, REMOTE_ADDR="203.0.113.7").status_code == 200


def test_wrong_guesses_count_too(client, agency):
    with time_machine.travel(NOON, tick=False):
        for n in range(30):
            assert client.get(f"/t/guess{n:019d}", REMOTE_ADDR="203.0.113.9").status_code == 404
        path = path_of(link_for(apply(agency, received())))
        assert client.get(path, REMOTE_ADDR="203.0.113.9").status_code == 429
