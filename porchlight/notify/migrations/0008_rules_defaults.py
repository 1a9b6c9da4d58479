# Agencies made before rules existed get the default rules and templates (rules.DEFAULTS), so
# their callers keep getting the same texts. New agencies get them when they are made.

from typing import Any

from django.db import migrations


def install(apps: Any, schema_editor: Any) -> None:
    from porchlight.notify.rules import install as install_rules

    Agency = apps.get_model("agencies", "Agency")
    Rule = apps.get_model("notify", "Rule")
    Template = apps.get_model("notify", "Template")
    for agency_id in Agency.objects.values_list("id", flat=True):
        install_rules(agency_id, Rule, Template)


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0004_disposition"),
        ("notify", "0007_rules_outbox_context"),
    ]

    # Going back leaves the rules: they are the agency's configuration by then.
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
