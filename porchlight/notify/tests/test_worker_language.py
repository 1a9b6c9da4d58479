"""Each caller is texted in their own language."""

import pytest

from porchlight.notify.channels.dev import DevInbox
from porchlight.notify.models import DevMessage
from porchlight.notify.tests.conftest import received
from porchlight.notify.worker import Worker


@pytest.fixture
def worker():
    w = Worker({"sms": DevInbox("sms")}, name="test-worker", threads=2)
    yield w
    w._pool.shutdown()


@pytest.mark.django_db(transaction=True)
def test_spanish_caller_gets_spanish(call_in, worker):
    call_in(received(caller={"phone": "6615550142", "language": "es"}))
    worker.run_once()
    body = DevMessage.objects.get().body
    assert "tiene su llamada" in body and "911" in body


@pytest.mark.django_db(transaction=True)
def test_unknown_language_falls_back_to_the_agency_default(call_in, worker):
    call_in(received(caller={"phone": "6615550142", "language": "tl"}))
    worker.run_once()
    assert "got your call" in DevMessage.objects.get().body
