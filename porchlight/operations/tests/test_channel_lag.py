"""Worker lag per channel in /metrics: an email backlog shows even while texts keep up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from porchlight.notify.models import Channel, Outbox
from porchlight.operations.tests.builders import cleared_call

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_metrics_give_the_oldest_due_message_per_channel(client, agency, settings):
    settings.METRICS_TOKEN = "tok-ops"
    call = cleared_call(
        agency, "26-000500", NOW - timedelta(hours=1), phone="+16615550111", email="a@example.org"
    )
    Outbox.objects.all().update(state="sent")
    Outbox.objects.filter(contact_id=call.caller_email_id).update(
        state="planned", due_at=NOW - timedelta(seconds=420)
    )
    with time_machine.travel(NOW, tick=False):
        text = client.get("/metrics", HTTP_AUTHORIZATION="Bearer tok-ops").content.decode()
    lines = dict(
        line.rsplit(" ", 1)
        for line in text.splitlines()
        if line.startswith("porchlight_channel_lag")
    )
    assert lines == {
        f'porchlight_channel_lag_seconds{{channel="{c}"}}': "420.000"
        if c == Channel.EMAIL
        else "0.000"
        for c in Channel.values
    }
