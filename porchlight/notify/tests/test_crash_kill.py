"""Crash safety (issues 4 and 18): three `porchlight worker` processes send texts through the
local Twilio on PostgreSQL while a killer SIGKILLs them again and again. Afterwards no row is
lost and none was sent twice, whether Twilio's status callbacks never arrive (`none`: only
the worker and reconciliation settle rows) or arrive late, twice and out of order (`late`).

The texts go from the agency's own number and from a Messaging Service, never from
TWILIO_FROM_NUMBER, so a row whose worker died after Twilio accepted it is found only if
reconciliation searches by what the row recorded it went from.

It needs real concurrent processes on PostgreSQL, so it runs on PostgreSQL whatever the suite
runs on: the server of DATABASE_URL when that is PostgreSQL, else PORCHLIGHT_TEST_PG_URL
(default postgres://postgres@127.0.0.1:5432), always in its own database
(`porchlight_crashloop`), so it runs in one test process even under pytest-xdist (it is one
test, and porchlight/conftest.py puts it first so the other process works beside it). When no
PostgreSQL answers, a SQLite run on a newcomer's machine deselects it with one line saying so
(porchlight/conftest.py); in CI (CI=true), or when the suite runs on PostgreSQL, it runs and
fails with the reason. It never skips silently.

The sizes keep both modes together to a few minutes in CI; `python -m
standins.crashloop` runs the full size (docs/performance.md). The figures are
printed and written to test-artifacts/crash-loop-<mode>.json.
"""

from __future__ import annotations

import os

import pytest

from standins import crashloop

ROWS = 1_000
KILLS = 20


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
@pytest.mark.parametrize("callbacks", ["none", "late"])
def test_sigkilled_workers_lose_nothing_and_send_nothing_twice(callbacks):
    artifact = crashloop.ROOT / "test-artifacts" / f"crash-loop-{callbacks}.json"
    config = crashloop.Config(
        server=postgres_server(),
        # A name of its own per run: the loop drops and creates its database, so two checkouts
        # (or two CI runs) on one server must not share one.
        database=f"{crashloop.DATABASE}_{os.getpid()}_{callbacks}",
        rows=ROWS,
        kills=KILLS,
        callbacks=callbacks,
        out=artifact,
    )
    try:
        report = crashloop.run(config)
    except crashloop.Unreachable as exc:
        pytest.fail(str(exc), pytrace=False)
    print("\n" + crashloop.summary(report))

    assert not report["problem"], report["problem"]
    assert report["rows"] >= ROWS
    assert report["kills"] >= KILLS
    # The kills hit workers mid-send, and some landed between the provider accepting a
    # message and our commit: the case this test exists for.
    assert report["rows_sending_at_kills"] > 0
    assert report["kills_in_window"] > 0
    # No row lost: each one reached the provider, or failed or died with its reason.
    assert report["lost"] == []
    assert report["unsettled"] == []
    # None sent twice, counted from the provider's own record.
    assert report["duplicates"] == 0, report["duplicate_rows"]
    # Every row we call sent names a message the provider really has for that row, and has
    # its sent_at, whichever path settled it.
    assert report["sent_with_unknown_provider_id"] == []
    assert report["sent_without_sent_at"] == 0
    # The relay that timed each acceptance saw exactly what the provider recorded.
    assert report["relay_matches_provider"]
    assert report["provider_without_outbox_id"] == 0
    # The rows the provider had when their worker died were settled by someone other than
    # that worker: reconciliation alone when no callback comes.
    # (A dead worker's COMMIT that PostgreSQL still took counts as its own: one copy, no
    # duplicate, recorded by the worker.)
    by = report["settled_by"]
    assert by["worker"] > 0 and by["other"] == 0
    caught = report["distinct_rows_in_window_at_kills"] - report["rows_committed_after_kill"]
    assert caught > 0
    if callbacks == "none":
        assert by["callback"] == 0
        assert by["reconcile"] >= caught
    else:
        assert by["callback"] + by["reconcile"] >= caught
        sent = report["callbacks"]
        # Every callback reached the web process twice and was taken (204), late and out of
        # order, and none moved a row backwards (nothing unsettled, nothing lost above).
        assert sent["forwarded"] == {"204": 2 * sent["from_provider"]} and not sent["errors"]
    assert report["window_ms"]["rows"] > 0
    assert report["ok"]
    assert artifact.exists()
