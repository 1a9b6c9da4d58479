"""The database triggers that make the audit table append-only, on SQLite and PostgreSQL.

Both engines raise an IntegrityError: SQLite's RAISE(ABORT) maps to it, and on PostgreSQL the
error code restrict_violation (23001) does.
"""

from __future__ import annotations

from typing import Any

TABLE = "audit_auditentry"
MESSAGE = "audit log is append-only"

SQLITE_CREATE = [
    f"CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_no_update", "DROP TRIGGER IF EXISTS audit_no_delete"]

POSTGRES_CREATE = [
    "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation'; END $$",
    f"CREATE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
    # TRUNCATE skips row triggers, so it needs a statement trigger of its own.
    f"CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
]
POSTGRES_DROP = [
    f"DROP TRIGGER IF EXISTS audit_no_update_delete ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE}",
]


def create_statements(vendor: str) -> list[str]:
    return {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}[vendor]


def drop_statements(vendor: str) -> list[str]:
    return {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}[vendor]


def installed(connection: Any) -> set[str]:
    """Names of the append-only triggers present now (a test checks them after every migration)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE]
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [TABLE],
            )
        return {row[0] for row in cursor.fetchall()}


def expected(vendor: str) -> set[str]:
    if vendor == "sqlite":
        return {"audit_no_update", "audit_no_delete"}
    return {"audit_no_update_delete", "audit_no_truncate"}
