"""A token never reaches the logs, even when its page answers 404, 405 or 429."""

from __future__ import annotations

import logging

from porchlight.calls.models import TrackLink
from porchlight.calls.tests.track_calls import apply, path_of, received, token_of
from porchlight.calls.track import link_for


def test_no_answer_logs_the_token(client, agency, settings, caplog, one_rate_window):
    settings.TRACK_RATE_LIMIT = "3/m"
    url = link_for(apply(agency, received()))
    token = token_of(url)
    caplog.set_level(logging.DEBUG)
    client.get(path_of(url))
    client.post(path_of(url))
    client.get(path_of(url))
    client.get(path_of(url))  # 429
    TrackLink.objects.update(revoked_at="2026-11-22T00:00:00Z")
    settings.TRACK_RATE_LIMIT = "100/m"
    assert client.get(path_of(url)).status_code == 404
    assert caplog.records, "the 4xx answers should still be logged, without the token"
    assert all(token not in r.getMessage() for r in caplog.records)
    assert any(r.getMessage() == "Not Found: /t/…" for r in caplog.records)
