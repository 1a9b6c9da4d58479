"""Every answer of the track page keeps the token private: no referrer, no index, no cache."""

from __future__ import annotations

import pytest

from porchlight.calls.tests.track_calls import path_of, whole_call
from porchlight.calls.track import link_for


@pytest.fixture
def answers(client, agency, settings, one_rate_window):
    settings.TRACK_RATE_LIMIT = "3/m"
    path = path_of(link_for(whole_call(agency)))
    ok = client.get(path)
    missing = client.get("/t/AAAAAAAAAAAAAAAAAAAAAAAA")
    client.get(path)
    limited = client.get(path)
    assert (ok.status_code, missing.status_code, limited.status_code) == (200, 404, 429)
    return {"ok": ok, "not found": missing, "rate limited": limited}


def test_privacy_headers_on_every_answer(answers):
    for name, r in answers.items():
        assert r["Referrer-Policy"] == "no-referrer", name
        assert r["X-Robots-Tag"] == "noindex, nofollow", name
        assert r["Cache-Control"] == "private, no-store", name
        assert "Set-Cookie" not in r, name  # nothing needs a cookie, so none is set


def test_strict_csp_stays_on(answers):
    for name, r in answers.items():
        csp = r["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp, name
        assert "unsafe-inline" not in csp, name
        assert "<script" not in r.content.decode(), name
