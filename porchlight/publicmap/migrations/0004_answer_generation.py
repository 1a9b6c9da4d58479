"""The public map's generation: a token that changes with everything the map may show.

The GeoJSON API keeps answers for repeat views (publicmap/answers.py) under this token, so an
answer made before a change is never served after it: privacy depends on it (a withdrawn
incident must not stay visible from a cache). Triggers, not application code, write it, so
every path (the publish job, the admin, a shell, raw SQL) changes it in the same transaction
as the change itself:

- published incidents: any insert; updates and deletes that touch a row (PostgreSQL's
  transition tables: the publish job's "delete rows under codes that became sensitive" runs
  every minute and usually deletes nothing, which must not empty the cache); truncate;
- category mappings (category, sensitive, which agency): the same;
- agencies: a changed slug (each feature names its agency by slug) and deletes.

Publication settings (the delay) need none: they change what the job publishes next, and
that insert changes the token. Tokens are never reused: `nextval` of a sequence on PostgreSQL
(not rolled back with the transaction), a 64-bit `random()` on SQLite. A missing row (a test
flush truncates every table) means "no token": the API then keeps nothing.
"""

from django.db import migrations, models

TABLES = ("publicmap_publishedincident", "publicmap_categorymapping")

PG = """
CREATE SEQUENCE publicmap_generation_seq;
CREATE FUNCTION publicmap_bump_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO publicmap_generation (id, value)
    VALUES (1, nextval('publicmap_generation_seq'))
    ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value;
    RETURN NULL;
END $$;
CREATE FUNCTION publicmap_bump_generation_if_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed) THEN
        INSERT INTO publicmap_generation (id, value)
        VALUES (1, nextval('publicmap_generation_seq'))
        ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value;
    END IF;
    RETURN NULL;
END $$;
"""

PG_TABLE = """
CREATE TRIGGER {t}_gen_ins AFTER INSERT ON {t}
    FOR EACH STATEMENT EXECUTE FUNCTION publicmap_bump_generation();
CREATE TRIGGER {t}_gen_upd AFTER UPDATE ON {t} REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION publicmap_bump_generation_if_rows();
CREATE TRIGGER {t}_gen_del AFTER DELETE ON {t} REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION publicmap_bump_generation_if_rows();
CREATE TRIGGER {t}_gen_trunc AFTER TRUNCATE ON {t}
    FOR EACH STATEMENT EXECUTE FUNCTION publicmap_bump_generation();
"""

PG_AGENCY = """
CREATE TRIGGER publicmap_gen_agency_slug AFTER UPDATE OF slug ON agencies_agency
    FOR EACH ROW WHEN (OLD.slug IS DISTINCT FROM NEW.slug)
    EXECUTE FUNCTION publicmap_bump_generation();
CREATE TRIGGER publicmap_gen_agency_del AFTER DELETE ON agencies_agency
    FOR EACH ROW EXECUTE FUNCTION publicmap_bump_generation();
INSERT INTO publicmap_generation (id, value) VALUES (1, nextval('publicmap_generation_seq'));
"""

PG_REVERSE = """
DROP TRIGGER publicmap_gen_agency_slug ON agencies_agency;
DROP TRIGGER publicmap_gen_agency_del ON agencies_agency;
{tables}
DROP FUNCTION publicmap_bump_generation();
DROP FUNCTION publicmap_bump_generation_if_rows();
DROP SEQUENCE publicmap_generation_seq;
"""

# Not INSERT OR REPLACE: SQLite applies the firing statement's conflict policy to a trigger's
# statements, so under Django's bulk_create(ignore_conflicts=True) (INSERT OR IGNORE, the
# publish job's) the replace would be ignored and the token kept (a test caught it).
_BUMP = (
    "UPDATE publicmap_generation SET value = random() WHERE id = 1;"
    " INSERT INTO publicmap_generation (id, value) SELECT 1, random()"
    " WHERE NOT EXISTS (SELECT 1 FROM publicmap_generation WHERE id = 1);"
)
_SQLITE_TRIGGERS = [
    # (name, event, table, condition): row triggers, so only rows that changed fire.
    *[
        (f"{t}_gen_{event[:3].lower()}", event, t, "")
        for t in TABLES
        for event in ("INSERT", "UPDATE", "DELETE")
    ],
    ("publicmap_gen_agency_slug", "UPDATE OF slug", "agencies_agency",
     "WHEN OLD.slug IS NOT NEW.slug"),
    ("publicmap_gen_agency_del", "DELETE", "agencies_agency", ""),
]  # fmt: skip


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG)
        for table in TABLES:
            schema_editor.execute(PG_TABLE.format(t=table))
        schema_editor.execute(PG_AGENCY)
        return
    for name, event, table, condition in _SQLITE_TRIGGERS:
        schema_editor.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW {condition} "
            f"BEGIN {_BUMP} END"
        )
    schema_editor.execute("INSERT INTO publicmap_generation (id, value) VALUES (1, random())")


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        tables = "\n".join(
            f"DROP TRIGGER {t}_gen_{e} ON {t};" for t in TABLES for e in ("ins", "upd", "del", "trunc")
        )
        schema_editor.execute(PG_REVERSE.format(tables=tables))
        return
    for name, *_ in _SQLITE_TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("publicmap", "0003_covering_every_column"),
    ]

    operations = [
        migrations.CreateModel(
            name="Generation",
            fields=[
                ("id", models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ("value", models.BigIntegerField()),
            ],
            options={
                "verbose_name": "public map generation",
                "verbose_name_plural": "public map generations",
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
