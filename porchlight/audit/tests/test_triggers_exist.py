"""The append-only triggers are in place after migrations (an SQLite table rebuild drops them)."""

from __future__ import annotations

from django.db import connection

from porchlight.audit import triggers


def test_triggers_installed_after_migrations(db: None) -> None:
    assert triggers.expected(connection.vendor)
    assert triggers.installed(connection) == triggers.expected(connection.vendor)
