"""The mapping token (migration 0008) also changes with what planning and inviting read per
agency, so intake can cache those reads per process the same way (calls/ahead.py): the rules,
the delivery settings, the default sending number, the surveys and the feedback settings, and
the shifts.

The same trigger function and the same SQLite statement as 0008, on more tables. One token
for both caches: a change to a rule also reloads the agency's codebook, once, which costs
three reads where a second token would cost a column and its own triggers.

- notify_rule, notify_deliverysettings, feedback_survey, feedback_shift, feedback_settings:
  any insert, update or delete (staff change them rarely; nothing on a hot path writes them).
- notify_sender: inserts and deletes, and updates of its agency or its default flag only. The
  delivery worker updates a sender's token bucket on every claim (notify/worker.py); bumping
  the token for those would empty both caches many times a second.

It depends on notify's and feedback's latest migrations: on SQLite, a later migration that
rebuilds one of these tables drops its triggers (codebook.missing_triggers() then turns the
caches off, and test_mapping_cache_triggers.py names the trigger).
"""

from django.db import migrations

# (name, table, WHEN for updates or None)
_TABLES = [
    ("rule", "notify_rule", None),
    ("deliverysettings", "notify_deliverysettings", None),
    (
        "sender",
        "notify_sender",
        "OLD.agency_id IS NOT NEW.agency_id OR OLD.is_default IS NOT NEW.is_default",
    ),
    ("survey", "feedback_survey", None),
    ("shift", "feedback_shift", None),
    ("feedbacksettings", "feedback_settings", None),
]


def _pg_when(when: str) -> str:
    return when.replace(" IS NOT ", " IS DISTINCT FROM ")


def _pg() -> list[str]:
    out = []
    for name, table, when in _TABLES:
        trigger = f"calls_mapping_version_{name}"
        if when is None:
            out.append(
                f"CREATE TRIGGER {trigger} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION calls_bump_mapping_version()"
            )
        else:
            out.append(
                f"CREATE TRIGGER {trigger} AFTER INSERT OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION calls_bump_mapping_version()"
            )
            out.append(
                f"CREATE TRIGGER {trigger}_upd AFTER UPDATE ON {table} FOR EACH ROW "
                f"WHEN ({_pg_when(when)}) EXECUTE FUNCTION calls_bump_mapping_version()"
            )
    return out


def pg_triggers() -> list[str]:
    """The PostgreSQL trigger names this migration creates (codebook.TRIGGERS)."""
    names = []
    for name, _, when in _TABLES:
        names.append(f"calls_mapping_version_{name}")
        if when is not None:
            names.append(f"calls_mapping_version_{name}_upd")
    return names


_BUMP = "INSERT OR REPLACE INTO calls_mappingversion (agency_id, version) VALUES ({}, random());"


def _sqlite() -> list[tuple[str, str]]:
    out = []
    for name, table, when in _TABLES:
        for suffix, event, agencies, cond in (
            ("ins", "INSERT", ["NEW.agency_id"], None),
            ("upd", "UPDATE", ["OLD.agency_id", "NEW.agency_id"], when),
            ("del", "DELETE", ["OLD.agency_id"], None),
        ):
            body = " ".join(_BUMP.format(a) for a in agencies)
            guard = f" WHEN {cond}" if cond else ""
            trigger = f"calls_mapping_version_{name}_{suffix}"
            out.append(
                (
                    trigger,
                    f"CREATE TRIGGER {trigger} AFTER {event} ON {table} FOR EACH ROW"
                    f"{guard} BEGIN {body} END",
                )
            )
    return out


def sqlite_triggers() -> list[str]:
    """The SQLite trigger names this migration creates (codebook.TRIGGERS)."""
    return [name for name, _ in _sqlite()]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in _pg():
            schema_editor.execute(sql)
        return
    for _, sql in _sqlite():
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, table, when in _TABLES:
            schema_editor.execute(f"DROP TRIGGER calls_mapping_version_{name} ON {table}")
            if when is not None:
                schema_editor.execute(f"DROP TRIGGER calls_mapping_version_{name}_upd ON {table}")
        return
    for name in sqlite_triggers():
        schema_editor.execute(f"DROP TRIGGER {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0009_redundant_indexes_event_agency_fk"),
        ("notify", "0014_outbox_fewer_indexes"),
        ("feedback", "0002_default_survey"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
