"""Issue 9, history import: indexes that only repeated the first column of another, and the
foreign key of an event's agency (always its call's), no longer written.

On PostgreSQL the indexes and the one constraint are dropped directly: Django's own AlterField
drops and re-adds each field's foreign key too, which checks every stored call and event again
under a lock. SQLite rebuilds the tables as Django always does there."""

import django.db.models.deletion
from django.db import migrations, models


class AlterField(migrations.AlterField):
    """AlterField, done on PostgreSQL by the statements given (forwards, backwards)."""

    def __init__(self, *args, postgres, postgres_back, **kwargs):
        self.postgres, self.postgres_back = postgres, postgres_back
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        kwargs["postgres"], kwargs["postgres_back"] = self.postgres, self.postgres_back
        return name, args, kwargs

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        for sql in self.postgres:
            schema_editor.execute(sql)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        for sql in self.postgres_back:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0008_single_sign_on"),
        ("calls", "0008_intake_mapping_version"),
    ]

    operations = [
        # Led by call_incident_unique (agency, incident_number).
        AlterField(
            model_name="call",
            name="agency",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="calls",
                to="agencies.agency",
            ),
            postgres=["DROP INDEX IF EXISTS calls_call_agency_id_b78f2870"],
            postgres_back=[
                "CREATE INDEX IF NOT EXISTS calls_call_agency_id_b78f2870 ON calls_call (agency_id)"
            ],
        ),
        # Led by event_source_id_unique (agency, source, event_id); the agency is the call's.
        AlterField(
            model_name="event",
            name="agency",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="agencies.agency",
            ),
            postgres=[
                "ALTER TABLE calls_event DROP CONSTRAINT IF EXISTS "
                "calls_event_agency_id_c79526e1_fk_agencies_agency_id",
                "DROP INDEX IF EXISTS calls_event_agency_id_c79526e1",
            ],
            postgres_back=[
                "CREATE INDEX IF NOT EXISTS calls_event_agency_id_c79526e1 "
                "ON calls_event (agency_id)",
                "ALTER TABLE calls_event ADD CONSTRAINT "
                "calls_event_agency_id_c79526e1_fk_agencies_agency_id FOREIGN KEY (agency_id) "
                "REFERENCES agencies_agency (id) DEFERRABLE INITIALLY DEFERRED",
            ],
        ),
        # Led by event_call_time (call, event_time).
        AlterField(
            model_name="event",
            name="call",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="events",
                to="calls.call",
            ),
            postgres=["DROP INDEX IF EXISTS calls_event_call_id_bf523fa5"],
            postgres_back=[
                "CREATE INDEX IF NOT EXISTS calls_event_call_id_bf523fa5 ON calls_event (call_id)"
            ],
        ),
    ]
