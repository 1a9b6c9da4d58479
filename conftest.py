"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import connections
from django.test import TransactionTestCase
from django.utils import translation

from porchlight.audit import triggers
from standins import crashloop
from standins.builders import make_agency, make_key

pytest_plugins = [
    "standins.browser",
    "standins.twilio_local.testing",
    "standins.smtp",
    "standins.media",
]


def _lift_audit_triggers(original: Any) -> Any:
    # Django's test flush (transactional tests, live_server) empties every table, and the
    # append-only triggers refuse that. Tests lift them around the flush and put them back;
    # production code never does.
    def teardown(self: TransactionTestCase) -> None:
        for alias in connections:
            conn = connections[alias]
            with conn.cursor() as cursor:
                for statement in triggers.drop_statements(conn.vendor):
                    cursor.execute(statement)
        try:
            original(self)
        finally:
            for alias in connections:
                conn = connections[alias]
                with conn.cursor() as cursor:
                    for statement in triggers.create_statements(conn.vendor):
                        cursor.execute(statement)

    return teardown


TransactionTestCase._fixture_teardown = _lift_audit_triggers(TransactionTestCase._fixture_teardown)  # type: ignore[attr-defined]


@pytest.fixture
def one_rate_window(time_machine: Any) -> None:
    """Hold the clock still, just after a minute starts, for a test that counts requests
    against a per-minute limit: django-ratelimit's windows are aligned to the clock, so on a
    slow machine a minute could turn between two requests and reset the count."""
    from django.utils import timezone

    now = timezone.now().replace(second=5, microsecond=0)
    time_machine.move_to(now, tick=False)


@pytest.fixture(autouse=True)
def _fresh_cache_for_transactional_tests(request: pytest.FixtureRequest) -> None:
    """Start each transactional test (the browser tests' live server) with an empty cache.

    The cache is a database table, and a transactional test's flush only empties the models'
    tables: rate-limit counters and allauth's used TOTP codes written by one browser test
    would otherwise count against the next (CI saw sign-ins refused with 429 for that)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # A request through the test client leaves its language active in the thread (the locale
    # middleware activates it and nothing resets it), so a Spanish page would make the next
    # test's messages Spanish. Each test starts from the settings' language.
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def agency(db: None) -> Any:
    return make_agency()


@pytest.fixture
def api_key(agency: Any) -> Iterator[tuple[Any, str]]:
    yield make_key(agency)


# --- The crash loop without PostgreSQL ------------------------------------------------------
# The crash loop (marker `crashloop`, notify/tests/test_crash_kill.py) runs on PostgreSQL
# whatever the suite runs on. On a newcomer's machine without PostgreSQL, a SQLite run
# deselects it and says so in one line at the end, instead of erroring. In CI (CI=true), or
# when the suite itself runs on PostgreSQL, it is never deselected here: it runs, and fails with
# the reason if the server is unusable. With pytest-xdist the controller decides once and hands
# the decision to each worker, so every worker collects the same tests.

CRASHLOOP_OFF = "porchlight_crashloop_off"  # key in xdist's workerinput/workeroutput
_off = pytest.StashKey[str]()
_deselected = pytest.StashKey[int]()


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def crashloop_unavailable() -> str:
    """Why the crash loop cannot run on this machine, or "" when it can (or must be tried)."""
    if in_ci() or os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql")):
        return ""
    import psycopg

    server = os.environ.get("PORCHLIGHT_TEST_PG_URL") or crashloop.DEFAULT_SERVER
    parts = urlsplit(server)
    try:
        psycopg.connect(crashloop.database_url(server, "postgres"), connect_timeout=3).close()
    except psycopg.Error:
        return f"no PostgreSQL answers at {parts.hostname}:{parts.port or 5432}"
    return ""


def pytest_configure(config: pytest.Config) -> None:
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        config.stash[_off] = workerinput.get(CRASHLOOP_OFF, "")
    else:
        config.stash[_off] = crashloop_unavailable()
    config.stash[_deselected] = 0


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    node.workerinput[CRASHLOOP_OFF] = node.config.stash[_off]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    count = getattr(node, "workeroutput", {}).get(CRASHLOOP_OFF, 0)
    node.config.stash[_deselected] = max(node.config.stash[_deselected], count)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    loop = [item for item in items if item.get_closest_marker("crashloop")]
    if not loop:
        return
    rest = [item for item in items if not item.get_closest_marker("crashloop")]
    if config.stash[_off]:
        items[:] = rest
        config.hook.pytest_deselected(items=loop)
        config.stash[_deselected] = len(loop)
        if hasattr(config, "workeroutput"):
            config.workeroutput[CRASHLOOP_OFF] = len(loop)
    else:
        # First, so the longest test starts at once and the other process works beside it.
        items[:] = loop + rest


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if config.stash.get(_deselected, 0):
        terminalreporter.write_line(
            f"crash loop deselected: it needs PostgreSQL, and {config.stash[_off]}. Run it with "
            "PORCHLIGHT_TEST_PG_URL=postgres://USER@HOST:PORT ./dev test -m crashloop"
        )
