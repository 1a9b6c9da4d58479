"""A version token per agency that changes with its mapping tables (calls/codebook.py).

Triggers, not application code, write it: every path that changes a status code, call type or
priority code (console, admin, shell, raw SQL) bumps it in the same transaction, so the
per-process cache of those tables can never apply a mapping staff have since changed.

- Status codes: any insert, update or delete (a new code turns a rejected status into a
  mapped one).
- Call types and priority codes: updates and deletes. Inserts need no bump: a code the cache
  does not hold is looked up in the database (intake creates unknown codes itself, and must not
  take the version row's lock to do so).
- Agencies: a fresh token on insert, so an agency id reused after a rollback (SQLite) never
  matches a cache entry of the agency that was rolled back.

Tokens are never reused: `nextval` of a sequence on PostgreSQL (not rolled back with the
transaction), a 64-bit `random()` on SQLite.
"""

from django.db import migrations, models

PG = """
CREATE SEQUENCE calls_mapping_version_seq;
CREATE FUNCTION calls_bump_mapping_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO calls_mappingversion (agency_id, version)
        VALUES (OLD.agency_id, nextval('calls_mapping_version_seq'))
        ON CONFLICT (agency_id) DO UPDATE SET version = EXCLUDED.version;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO calls_mappingversion (agency_id, version)
        VALUES (NEW.agency_id, nextval('calls_mapping_version_seq'))
        ON CONFLICT (agency_id) DO UPDATE SET version = EXCLUDED.version;
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION calls_new_agency_mapping_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO calls_mappingversion (agency_id, version)
    VALUES (NEW.id, nextval('calls_mapping_version_seq'))
    ON CONFLICT (agency_id) DO UPDATE SET version = EXCLUDED.version;
    RETURN NULL;
END $$;
CREATE TRIGGER calls_mapping_version_statuscode AFTER INSERT OR UPDATE OR DELETE
    ON agencies_statuscode FOR EACH ROW EXECUTE FUNCTION calls_bump_mapping_version();
CREATE TRIGGER calls_mapping_version_calltype AFTER UPDATE OR DELETE
    ON calls_calltype FOR EACH ROW EXECUTE FUNCTION calls_bump_mapping_version();
CREATE TRIGGER calls_mapping_version_prioritycode AFTER UPDATE OR DELETE
    ON agencies_prioritycode FOR EACH ROW EXECUTE FUNCTION calls_bump_mapping_version();
CREATE TRIGGER calls_mapping_version_agency AFTER INSERT
    ON agencies_agency FOR EACH ROW EXECUTE FUNCTION calls_new_agency_mapping_version();
INSERT INTO calls_mappingversion (agency_id, version)
    SELECT id, nextval('calls_mapping_version_seq') FROM agencies_agency;
"""

PG_REVERSE = """
DROP TRIGGER calls_mapping_version_statuscode ON agencies_statuscode;
DROP TRIGGER calls_mapping_version_calltype ON calls_calltype;
DROP TRIGGER calls_mapping_version_prioritycode ON agencies_prioritycode;
DROP TRIGGER calls_mapping_version_agency ON agencies_agency;
DROP FUNCTION calls_bump_mapping_version();
DROP FUNCTION calls_new_agency_mapping_version();
DROP SEQUENCE calls_mapping_version_seq;
"""

_BUMP = "INSERT OR REPLACE INTO calls_mappingversion (agency_id, version) VALUES ({}, random());"
_SQLITE_TRIGGERS = [
    # (name, event, table, rows whose agency changed)
    ("statuscode_ins", "INSERT", "agencies_statuscode", ["NEW.agency_id"]),
    ("statuscode_upd", "UPDATE", "agencies_statuscode", ["OLD.agency_id", "NEW.agency_id"]),
    ("statuscode_del", "DELETE", "agencies_statuscode", ["OLD.agency_id"]),
    ("calltype_upd", "UPDATE", "calls_calltype", ["OLD.agency_id", "NEW.agency_id"]),
    ("calltype_del", "DELETE", "calls_calltype", ["OLD.agency_id"]),
    ("prioritycode_upd", "UPDATE", "agencies_prioritycode", ["OLD.agency_id", "NEW.agency_id"]),
    ("prioritycode_del", "DELETE", "agencies_prioritycode", ["OLD.agency_id"]),
    ("agency_ins", "INSERT", "agencies_agency", ["NEW.id"]),
]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG)
        return
    for name, event, table, agencies in _SQLITE_TRIGGERS:
        body = " ".join(_BUMP.format(a) for a in agencies)
        schema_editor.execute(
            f"CREATE TRIGGER calls_mapping_version_{name} AFTER {event} ON {table} "
            f"FOR EACH ROW BEGIN {body} END"
        )
    schema_editor.execute(
        "INSERT INTO calls_mappingversion (agency_id, version) "
        "SELECT id, random() FROM agencies_agency"
    )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_REVERSE)
        return
    for name, *_ in _SQLITE_TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER calls_mapping_version_{name}")


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0007_sensitive_terms"),
        ("calls", "0007_console_import"),
    ]

    operations = [
        migrations.CreateModel(
            name="MappingVersion",
            fields=[
                ("agency_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("version", models.BigIntegerField()),
            ],
            options={
                "verbose_name": "mapping version",
                "verbose_name_plural": "mapping versions",
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
