"""Crash safety (issue 4): three `porchlight worker` processes send 10,000 texts through the
local Twilio on PostgreSQL while a killer SIGKILLs one of them at least 200 times. Afterwards
no row is lost, and the only duplicates are rows a killed worker held in flight.

It needs real concurrent processes on PostgreSQL, so it runs on PostgreSQL whatever the suite
runs on: the server of DATABASE_URL when that is PostgreSQL, else PORCHLIGHT_TEST_PG_URL
(default postgres://postgres@127.0.0.1:5432), always in its own database
(`porchlight_crashloop`), so it runs in one test process even under pytest-xdist (it is one
test, and porchlight/conftest.py puts it first so the other process works beside it). When no
PostgreSQL answers, a SQLite run on a newcomer's machine deselects it with one line saying so
(porchlight/conftest.py); in CI (CI=true), or when the suite runs on PostgreSQL, it runs and
fails with the reason. It never skips silently.

The figures (the window from the provider accepting to our commit, the duplicates, the kills
that landed in the window) are printed and written to test-artifacts/crash-loop.json. The loop
itself is porchlight/standins/crashloop.py (also a command).
"""

from __future__ import annotations

import os

import pytest

from porchlight.standins import crashloop

ARTIFACT = crashloop.ROOT / "test-artifacts" / "crash-loop.json"


@pytest.fixture(autouse=True)
def clock():
    """The real clock, not notify's travelled one (conftest.py): the loop compares its own
    timestamps with those the worker processes write, and they live in the real present."""
    yield None


def postgres_server() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://", "pgsql://")):
        return url  # the loop swaps in its own database name
    return os.environ.get("PORCHLIGHT_TEST_PG_URL") or crashloop.DEFAULT_SERVER


@pytest.mark.crashloop
def test_sigkilled_workers_lose_nothing_and_repeat_only_what_was_in_flight():
    config = crashloop.Config(server=postgres_server(), rows=10_000, kills=200, out=ARTIFACT)
    try:
        report = crashloop.run(config)
    except crashloop.Unreachable as exc:
        pytest.fail(str(exc), pytrace=False)
    print("\n" + crashloop.summary(report))

    assert not report["problem"], report["problem"]
    assert report["rows"] >= 10_000
    assert report["kills"] >= 200
    # The kills hit workers mid-send, and some landed between the provider accepting a
    # message and our commit: the case this test exists for.
    assert report["rows_sending_at_kills"] > 0
    assert report["kills_in_window"] > 0
    # No row lost: each one reached the provider, or failed or died with its reason.
    assert report["lost"] == []
    assert report["unsettled"] == []
    # Every row we call sent names a message the provider really has for that row.
    assert report["sent_with_unknown_provider_id"] == []
    # The relay that timed each acceptance saw exactly what the provider recorded.
    assert report["relay_matches_provider"]
    assert report["provider_without_outbox_id"] == 0
    # Duplicates only for rows a killed worker held, first accepted before it died.
    assert report["unexplained_duplicates"] == []
    assert report["window_ms"]["rows"] > 0
    assert report["ok"]
    assert ARTIFACT.exists()
