"""The worker sends what is due through a channel, checking everything again first."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from porchlight.agencies.models import Disposition
from porchlight.calls.models import Call, CallType
from porchlight.notify.channels.base import (
    Channel,
    Message,
    PermanentError,
    Receipt,
    TransientError,
)
from porchlight.notify.channels.dev import DevInbox
from porchlight.notify.models import DevMessage, Outbox, State, Trigger
from porchlight.notify.tests.conftest import received
from porchlight.notify.worker import MAX_ATTEMPTS, Worker
from standins.builders import cad_event


@pytest.fixture
def worker():
    w = Worker(
        {"sms": DevInbox("sms")},
        name="test-worker",
        threads=4,
        track_url=lambda call: "https://pl.example/t/abc",
    )
    yield w
    w._pool.shutdown()


@pytest.mark.django_db(transaction=True)
def test_first_text_reaches_the_inbox(call_in, worker):
    call_in(received())
    assert worker.run_once() == 1  # the delay notice is not due yet
    msg = DevMessage.objects.get()
    assert msg.to == "+16615550142"
    assert msg.body.startswith("Bakersfield PD got your call 26-000001: https://pl.example/t/abc")
    assert "911" in msg.body and "STOP" in msg.body
    assert Outbox.objects.get(trigger=Trigger.RECEIVED).state == State.DELIVERED
    assert worker.run_once() == 0  # nothing sent twice


@pytest.mark.django_db(transaction=True)
def test_reclassified_as_sensitive_before_sending_is_suppressed(call_in, worker):
    call_in(received())
    Call.objects.update(call_type=CallType.objects.get(code="273.5"))
    worker.run_once()
    assert not DevMessage.objects.exists()
    row = Outbox.objects.get(trigger=Trigger.RECEIVED)
    assert row.state == State.SUPPRESSED and "sensitive" in row.reason


@pytest.mark.django_db(transaction=True)
def test_delay_notice_goes_out_when_the_clock_passes_the_threshold(call_in, worker, clock):
    call_in(received())
    worker.run_once()
    clock.shift(timedelta(minutes=31))  # no CAD input at all: the clock alone
    assert worker.run_once() == 1
    assert "still busy" in DevMessage.objects.get(outbox__trigger=Trigger.DELAYED).body


@pytest.mark.django_db(transaction=True)
def test_no_delay_notice_after_dispatch(call_in, worker, clock):
    call_in(received())
    call_in(cad_event(2, status="dispatched", at="2026-11-22T14:25:00-08:00"))
    clock.shift(timedelta(minutes=31))
    worker.run_once()
    assert not DevMessage.objects.filter(outbox__trigger=Trigger.DELAYED).exists()


@pytest.mark.django_db(transaction=True)
def test_closing_text_in_plain_words(call_in, worker):
    call_in(
        received(),
        cad_event(2, status="cleared", at="2026-11-22T14:18:00-08:00", disposition="GOA"),
    )
    worker.run_once()
    body = DevMessage.objects.get(outbox__trigger=Trigger.CLEARED).body
    assert "did not find anyone" in body and "GOA" not in body and "661-327-7111" in body


class Failing(Channel):
    name = "sms"

    def __init__(self, error):
        self.error = error

    def send(self, message: Message) -> Receipt:
        raise self.error

    def lookup(self, outbox_id, provider_id, *, message=None):
        return None


@pytest.mark.django_db(transaction=True)
def test_transient_error_is_retried_later_with_backoff(call_in):
    call_in(received())
    w = Worker({"sms": Failing(TransientError("20429", "too many requests"))}, name="w1")
    w.run_once()
    row = Outbox.objects.get(trigger=Trigger.RECEIVED)
    assert row.state == State.SCHEDULED and row.error_code == "20429" and row.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_permanent_error_stops_at_once(call_in):
    call_in(received())
    Worker({"sms": Failing(PermanentError("21211", "invalid number"))}, name="w1").run_once()
    row = Outbox.objects.get(trigger=Trigger.RECEIVED)
    assert row.state == State.FAILED and row.error_code == "21211"


@pytest.mark.django_db(transaction=True)
def test_gives_up_after_max_attempts(call_in):
    call_in(received())
    Outbox.objects.filter(trigger=Trigger.RECEIVED).update(attempts=MAX_ATTEMPTS - 1)
    Worker({"sms": Failing(TransientError("30003", "unreachable"))}, name="w1").run_once()
    assert Outbox.objects.get(trigger=Trigger.RECEIVED).state == State.DEAD


@pytest.mark.django_db(transaction=True)
def test_the_first_text_carries_the_calls_tracking_link(call_in, client):
    call_in(received())
    w = Worker({"sms": DevInbox("sms")}, name="w")  # the real link maker
    w.run_once()
    w._pool.shutdown()
    body = DevMessage.objects.get().body
    url = next(word for word in body.split() if "/t/" in word)
    page = client.get(urlsplit(url).path)
    assert page.status_code == 200 and "26-000001" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_agency_wording_for_a_disposition_replaces_the_default(call_in, worker, agency):
    Disposition.objects.create(
        agency=agency, code="GOA", wording={"en": "No one was there when we arrived."}
    )
    call_in(
        received(),
        cad_event(2, status="cleared", at="2026-11-22T14:18:00-08:00", disposition="goa"),
    )
    worker.run_once()
    body = DevMessage.objects.get(outbox__trigger=Trigger.CLEARED).body
    assert "No one was there when we arrived." in body and "did not find anyone" not in body


@pytest.mark.django_db(transaction=True)
def test_unknown_disposition_code_is_never_shown(call_in, worker):
    call_in(
        received(),
        cad_event(2, status="cleared", at="2026-11-22T14:18:00-08:00", disposition="X99Z"),
    )
    worker.run_once()
    assert "X99Z" not in DevMessage.objects.get(outbox__trigger=Trigger.CLEARED).body


@pytest.mark.django_db(transaction=True)
def test_a_message_not_about_a_call_without_words_fails_with_the_reason(call_in, worker):
    """Rows planned by other apps (plan.message) have no call; with no template for their
    trigger they fail with the reason instead of being retried for ever."""
    call_in(received())
    contact = Outbox.objects.get(trigger=Trigger.RECEIVED).contact
    row = Outbox.objects.create(
        agency_id=contact.agency_id, contact=contact, channel="sms", trigger=Trigger.DIGEST,
        dedupe_key=f"{contact.pk}:digest:test", priority=30, due_at=timezone.now(),
    )  # fmt: skip
    worker.run_once()
    row.refresh_from_db()
    assert row.state == State.FAILED and row.error_code == "template"
    assert "no template" in row.reason
    assert not DevMessage.objects.filter(outbox=row).exists()
