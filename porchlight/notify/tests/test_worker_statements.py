"""A wave of texts costs a fixed number of SQL statements, whatever its size: the rows, the
checks (holds, delivery settings, opt-outs, caps), the links and templates are read once for
the wave, the bodies stored in one UPDATE and the answers written in one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from porchlight.notify.channels.base import Channel, Message, Receipt
from porchlight.notify.models import Outbox, Sender, State, Trigger
from porchlight.notify.tests.conftest import received
from porchlight.notify.worker import Worker


class Accepting(Channel):
    """A provider that accepts every text and touches no database, so only the worker's own
    statements are counted."""

    name = "sms"

    def send(self, message: Message) -> Receipt:
        return Receipt(provider_id=f"SM{message.outbox_id}", status="queued")

    def lookup(self, outbox_id, provider_id, *, message=None):
        return None


@pytest.fixture(autouse=True)
def fast_sender(agency):
    """The agency's number may carry the whole batch at once (the rate limit is not tested
    here)."""
    Sender.objects.update(rate_per_second=100.0)


def statements_for(call_in, n: int, first: int) -> int:
    for i in range(first, first + n):
        call_in(
            received(
                i,
                incident=f"26-{i:06d}",
                caller={"phone": f"661-555-{100 + i:04d}", "language": "en"},
            )
        )
    worker = Worker({"sms": Accepting()}, name="w", threads=n, batch=n)
    try:
        ids = worker.claim(n)
        assert len(ids) == n
        with CaptureQueriesContext(connection) as queries:
            items = worker._prepare(ids, isolate=True)
            worker._settle(items, [worker._pool.submit(worker._send, i) for i in items])
    finally:
        worker._pool.shutdown()
    sent = Outbox.objects.filter(pk__in=ids, state=State.SENT, trigger=Trigger.RECEIVED)
    assert sent.count() == n
    # The link made when the text was planned is in every body.
    assert all("/t/" in body for body in sent.values_list("body", flat=True))
    return len(queries.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_a_wave_costs_the_same_statements_for_2_texts_as_for_12(call_in):
    two = statements_for(call_in, 2, first=1)
    twelve = statements_for(call_in, 12, first=20)
    assert two == twelve
    # rows, delivery settings, holds, opt-outs, caps, links, templates, bodies, answers
    assert twelve <= 9
