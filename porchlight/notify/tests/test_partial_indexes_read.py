"""The outbox's partial indexes (provider id, sent_at, sender: only rows where the column is
set) are still what their queries read, on both engines: a planned row pays no entry in them,
and a bounce, /metrics or a deleted Sender does not scan the outbox for it.

Each query is the one the code sends (captured), planned by the engine itself. PostgreSQL is
told not to seq-scan (a test's table is tiny) so the plan shows whether the index CAN serve the
query; SQLite has no statistics and takes any index whose condition the query implies."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from porchlight.notify import metrics
from porchlight.notify.models import Sender, State
from porchlight.notify.tests.test_bounce_webhook import MESSAGE_ID, SECRET, delivery, post


def plan(sql: str) -> str:
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute("SET LOCAL enable_seqscan = off")
            c.execute("EXPLAIN " + sql)
            return "\n".join(r[0] for r in c.fetchall())
        c.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(str(r[-1]) for r in c.fetchall())


def outbox_queries(ctx: CaptureQueriesContext, *words: str) -> list[str]:
    return [
        q["sql"]
        for q in ctx.captured_queries
        if '"notify_outbox"' in q["sql"] and all(w in q["sql"] for w in words)
    ]


@pytest.mark.django_db
def test_a_bounce_finds_its_message_through_the_partial_provider_index(client, email_row, settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET}
    email_row("caller@example.org", state=State.SENT, provider_id=MESSAGE_ID)
    with CaptureQueriesContext(connection) as ctx:
        assert post(client, delivery()).status_code == 200
    [lookup] = outbox_queries(ctx, "SELECT", f"'{MESSAGE_ID}'")
    with transaction.atomic():
        assert "outbox_provider_id_set" in plan(lookup)


@pytest.mark.django_db
def test_the_last_minutes_sends_are_counted_from_the_partial_sent_at_index(email_row):
    with CaptureQueriesContext(connection) as ctx:
        metrics.gather()
    [count] = outbox_queries(ctx, "COUNT", '"sent_at" >')
    with transaction.atomic():
        assert "outbox_sent_at_set" in plan(count)


@pytest.mark.django_db
def test_a_deleted_senders_messages_are_found_through_the_partial_sender_index(agency, email_row):
    sender = Sender.objects.create(agency=agency, label="Main line", phone_number="+15555550100")
    row = email_row("caller@example.org")
    row.sender = sender
    row.save(update_fields=["sender"])
    with CaptureQueriesContext(connection) as ctx:
        sender.delete()
    [update] = outbox_queries(ctx, "UPDATE", '"sender_id" IN')
    with transaction.atomic():
        assert "outbox_sender" in plan(update)
    row.refresh_from_db()
    assert row.sender_id is None
