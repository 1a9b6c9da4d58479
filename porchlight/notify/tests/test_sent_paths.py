"""Every path that makes a row `sent` or `delivered` sets `sent_at` (which the per-recipient
caps, /metrics and reply matching count), through the one function notify/sent.py keeps:
the worker, Twilio's status callback, the email provider's tracking webhook and
reconciliation. `sent_by` says which path it was; only record_sent() writes it."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from porchlight.notify.models import Channel, Outbox, Sender, SentBy, State, Trigger
from porchlight.notify.tests.conftest import received
from porchlight.notify.worker import Worker

TO = "+16615550142"  # the caller's phone in conftest.received()
AGENCY_NUMBER = "+16615550100"  # the agency's own Sender, not settings.TWILIO_FROM_NUMBER


def sms_row():
    return Outbox.objects.get(trigger=Trigger.RECEIVED, channel=Channel.SMS)


def killed_after_the_provider_accepted(twilio_sms):
    """A worker claims the row, stores its words and sends it, and dies before recording
    anything: the row is `sending`, with no provider id and no sent_at."""
    dead = Worker({"sms": twilio_sms}, name="dead", track_url=lambda call: None)
    (pk,) = dead.claim(10)
    row = Outbox.objects.get(pk=pk)
    body = f"Test PD: we received your call (row {pk})."
    Outbox.objects.filter(pk=pk).update(body=body)
    from porchlight.notify.channels.base import Message

    receipt = twilio_sms.send(Message(outbox_id=pk, to=TO, body=body, sender=row.sent_from))
    dead._pool.shutdown()
    return Outbox.objects.get(pk=pk), receipt.provider_id


@pytest.fixture
def agency_number(agency):
    return Sender.objects.create(agency=agency, label="Agency line", phone_number=AGENCY_NUMBER)


@pytest.mark.django_db(transaction=True)
def test_the_worker(call_in, agency_number, twilio_sms, local_twilio):
    call_in(received())
    worker = Worker({"sms": twilio_sms}, name="w", track_url=lambda call: None)
    worker.run_once()
    worker._pool.shutdown()
    row = sms_row()
    assert row.state == State.SENT and row.sent_at is not None
    assert row.sent_by == SentBy.WORKER
    (message,) = local_twilio.messages()
    assert row.provider_id == message["sid"]
    # What it went from was recorded with the claim, and is what Twilio got.
    assert row.sent_from == AGENCY_NUMBER == message["from"]


@pytest.mark.django_db(transaction=True)
def test_the_status_callback_of_a_row_whose_worker_died(
    call_in, agency_number, twilio_sms, twilio_post
):
    call_in(received())
    row, sid = killed_after_the_provider_accepted(twilio_sms)
    assert row.state == State.SENDING and row.sent_at is None

    r = twilio_post(f"/notify/sms/status/{row.pk}/", {"MessageSid": sid, "MessageStatus": "sent"})

    assert r.status_code == 204
    row = sms_row()
    assert row.state == State.SENT and row.sent_at is not None and row.provider_id == sid
    assert row.sent_by == SentBy.CALLBACK and row.claimed_by == ""


@pytest.mark.django_db(transaction=True)
def test_a_delivered_callback_first_sets_sent_at_too(
    call_in, agency_number, twilio_sms, twilio_post
):
    """Callbacks arrive out of order: "delivered" may be the first word of a lost send."""
    call_in(received())
    row, sid = killed_after_the_provider_accepted(twilio_sms)
    path = f"/notify/sms/status/{row.pk}/"

    twilio_post(path, {"MessageSid": sid, "MessageStatus": "delivered"})
    first = sms_row()
    # Late, twice, out of order: nothing moves back, and the times stay the first ones.
    twilio_post(path, {"MessageSid": sid, "MessageStatus": "sent"})
    twilio_post(path, {"MessageSid": sid, "MessageStatus": "delivered"})

    row = sms_row()
    assert row.state == State.DELIVERED and row.provider_id == sid
    assert row.sent_at is not None and row.sent_at == first.sent_at
    assert row.delivered_at is not None and row.sent_by == SentBy.CALLBACK


@pytest.mark.django_db(transaction=True)
def test_the_email_providers_delivery_webhook(client, settings, email_row):
    secret = "postmark:s3cret-webhook-password"
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": secret}
    # The worker died between the provider accepting the email and recording its id.
    row = email_row("caller@example.org", state=State.SENDING, claimed_by="dead")
    payload = {
        "RecordType": "Delivery", "ServerID": 23, "MessageStream": "outbound",
        "MessageID": "0a129aee-e1cd-480d-b08d-4f48548ff48d", "Recipient": "caller@example.org",
        "Tag": "", "DeliveredAt": "2026-11-22T22:20:54.9070259Z", "Details": "",
        "Metadata": {"outbox_id": str(row.pk)},
    }  # fmt: skip
    auth = "Basic " + base64.b64encode(secret.encode()).decode()

    r = client.post(
        "/anymail/postmark/tracking/", json.dumps(payload), content_type="application/json",
        headers={"Authorization": auth},
    )  # fmt: skip

    assert r.status_code == 200
    row = Outbox.objects.get(pk=row.pk)
    assert row.state == State.DELIVERED and row.sent_at is not None
    assert row.provider_id == payload["MessageID"] and row.sent_by == SentBy.WEBHOOK


@pytest.mark.django_db(transaction=True)
def test_reconciliation_finds_a_text_sent_from_the_agencys_own_number(
    call_in, agency_number, twilio_sms, local_twilio, clock, settings
):
    """The issue's duplicate: the row went from the agency's Sender, not TWILIO_FROM_NUMBER
    (twilio_sms's default), its worker died before recording the send, and no callback came.
    Reconciliation finds it by the number recorded at the claim, and it is not sent again."""
    assert twilio_sms.default_sender != AGENCY_NUMBER
    call_in(received())
    row, sid = killed_after_the_provider_accepted(twilio_sms)
    assert row.sent_from == AGENCY_NUMBER
    clock.shift(timedelta(seconds=settings.NOTIFY_STALE_SECONDS + 1))
    # The local Twilio moves the message to delivered on its own thread: wait for it, or on a
    # loaded machine reconciliation may read it while it is still "sent" (seen once in CI).
    local_twilio.wait_for_status(sid, "delivered")

    survivor = Worker({"sms": twilio_sms}, name="survivor", track_url=lambda call: None)
    assert survivor.reconcile() == 1
    survivor.run_once()
    survivor._pool.shutdown()

    row = sms_row()
    # The local Twilio has delivered it, and says so.
    assert row.state == State.DELIVERED and row.sent_at is not None and row.provider_id == sid
    assert row.sent_by == SentBy.RECONCILE
    assert len(local_twilio.messages()) == 1  # never sent twice
