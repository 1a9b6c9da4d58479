"""Fixtures shared by every app's tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django.test import TransactionTestCase

from porchlight.audit import triggers
from porchlight.standins.builders import make_agency, make_key

pytest_plugins = [
    "porchlight.standins.browser",
    "porchlight.standins.twilio_local.testing",
    "porchlight.standins.smtp",
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
def agency(db: None) -> Any:
    return make_agency()


@pytest.fixture
def api_key(agency: Any) -> Iterator[tuple[Any, str]]:
    yield make_key(agency)
