# The worker's claim reads each sender's due rows, and the unpaced ones, in claim order from
# these partial indexes (worker.claim).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0005_inbound_address"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="outbox",
            index=models.Index(
                condition=models.Q(("state__in", ["planned", "scheduled"])),
                fields=["sender", "priority", "due_at", "id"],
                name="outbox_due_sender",
            ),
        ),
        migrations.AddIndex(
            model_name="outbox",
            index=models.Index(
                condition=models.Q(
                    ("sender__isnull", True), ("state__in", ["planned", "scheduled"])
                ),
                fields=["priority", "due_at", "id"],
                name="outbox_due_unpaced",
            ),
        ),
    ]
