"""The audit log cannot be changed or emptied, by the ORM or by raw SQL, on either engine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from porchlight.audit.log import record
from porchlight.audit.models import AuditEntry
from porchlight.audit.triggers import TABLE


@pytest.fixture
def entry(db: None) -> AuditEntry:
    return record("test.thing", actor_label="pytest", changes={"fields": ["rank"]})


def _save_changed(entry: AuditEntry) -> None:
    entry.action = "test.forged"
    entry.save()


def _raw(sql: str) -> Callable[[AuditEntry], None]:
    def run(entry: AuditEntry) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql.format(table=TABLE), [entry.pk] if "%s" in sql else [])

    return run


ATTEMPTS: dict[str, Callable[[AuditEntry], Any]] = {
    "orm save": _save_changed,
    "orm queryset update": lambda e: AuditEntry.objects.filter(pk=e.pk).update(
        action="test.forged"
    ),
    "orm delete": lambda e: e.delete(),
    "orm queryset delete": lambda e: AuditEntry.objects.all().delete(),
    "sql update": _raw("UPDATE {table} SET action = 'test.forged' WHERE id = %s"),
    "sql update all": _raw("UPDATE {table} SET ip = NULL"),
    "sql delete": _raw("DELETE FROM {table} WHERE id = %s"),
    "sql delete all": _raw("DELETE FROM {table}"),
}
if connection.vendor == "postgresql":
    # TRUNCATE skips row triggers; PostgreSQL has a statement trigger for it. SQLite has no
    # TRUNCATE: its equivalent, an unqualified DELETE, is tried above.
    ATTEMPTS["sql truncate"] = _raw("TRUNCATE {table}")


@pytest.mark.parametrize("attempt", ATTEMPTS)
def test_change_is_refused(entry: AuditEntry, attempt: str) -> None:
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        ATTEMPTS[attempt](entry)
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.action == "test.thing"
    assert AuditEntry.objects.count() == 1


def test_appending_still_works(entry: AuditEntry) -> None:
    record("test.other", actor_label="pytest")
    assert AuditEntry.objects.count() == 2
