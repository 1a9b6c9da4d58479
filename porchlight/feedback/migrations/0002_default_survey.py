"""Every agency that exists gets the default survey, the invitation and "resolved" message
rules, and the theme lexicons (feedback/defaults.py). Agencies made later get them the first
time someone is to be asked (invite.survey_for)."""

from types import SimpleNamespace

from django.db import migrations


def forwards(apps, schema_editor):
    from porchlight.feedback import defaults

    models = SimpleNamespace(
        Settings=apps.get_model("feedback", "Settings"),
        Survey=apps.get_model("feedback", "Survey"),
        Question=apps.get_model("feedback", "Question"),
        Lexicon=apps.get_model("feedback", "Lexicon"),
        Rule=apps.get_model("notify", "Rule"),
        Template=apps.get_model("notify", "Template"),
    )
    for agency_id in apps.get_model("agencies", "Agency").objects.values_list("pk", flat=True):
        defaults.install(agency_id, models)


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
        ("notify", "0012_more_triggers"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
