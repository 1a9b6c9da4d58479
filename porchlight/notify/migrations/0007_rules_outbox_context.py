# The template fields of messages that are not about a call (plan.message).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0006_worker_due_sender"),
    ]

    operations = [
        migrations.AddField(
            model_name="outbox",
            name="context",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
