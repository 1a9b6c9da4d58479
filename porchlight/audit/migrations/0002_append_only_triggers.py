from django.db import migrations

from porchlight.audit import triggers


def create(apps, schema_editor):
    for statement in triggers.create_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    for statement in triggers.drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    # Statements run one by one from Python: passing SQL as one string lets sqlparse split
    # SQLite's BEGIN … END; body apart.
    operations = [migrations.RunPython(create, drop)]
