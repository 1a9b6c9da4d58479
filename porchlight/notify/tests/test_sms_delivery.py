"""A text through the real Twilio SDK to the local Twilio, and its signed status callbacks."""

import time

import pytest

from porchlight.notify.models import Outbox, State, Trigger
from porchlight.notify.tests.conftest import received
from porchlight.notify.worker import Worker


@pytest.fixture
def twilio_settings(settings, live_server, local_twilio):
    settings.SITE_URL = live_server.url
    settings.TWILIO_ACCOUNT_SID = local_twilio.account_sid
    settings.TWILIO_AUTH_TOKEN = local_twilio.auth_token
    return settings


def wait_for_state(pk, state, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = Outbox.objects.get(pk=pk)
        if row.state == state:
            return row
        time.sleep(0.05)
    raise AssertionError(f"outbox {pk} is {Outbox.objects.get(pk=pk).state}, not {state}")


@pytest.mark.django_db(transaction=True)
def test_text_is_sent_and_the_delivery_callback_lands(
    call_in, twilio_settings, local_twilio, twilio_sms
):
    call_in(received())
    Worker({"sms": twilio_sms}, name="w").run_once()
    row = Outbox.objects.get(trigger=Trigger.RECEIVED)
    assert row.provider_id.startswith("SM")
    (sent,) = local_twilio.messages()
    assert sent["to"] == "+16615550142" and "call 26-000001" in sent["body"]
    row = wait_for_state(row.pk, State.DELIVERED)
    assert row.delivered_at is not None


@pytest.mark.django_db(transaction=True)
def test_undelivered_callback_marks_the_row_failed_with_the_code(
    call_in, twilio_settings, local_twilio, twilio_sms
):
    local_twilio.set_outcome("+16615550142", "undelivered", 30003)
    call_in(received())
    Worker({"sms": twilio_sms}, name="w").run_once()
    row = wait_for_state(Outbox.objects.get(trigger=Trigger.RECEIVED).pk, State.FAILED)
    assert row.error_code == "30003" and "undelivered" in row.reason


@pytest.mark.django_db
def test_callback_with_a_bad_signature_is_refused(client, call_in, settings):
    settings.TWILIO_AUTH_TOKEN = "secret"
    call_in(received())
    pk = Outbox.objects.get(trigger=Trigger.RECEIVED).pk
    r = client.post(
        f"/notify/sms/status/{pk}/", {"MessageSid": "SM1", "MessageStatus": "delivered"},
        HTTP_X_TWILIO_SIGNATURE="not-a-signature",
    )  # fmt: skip
    assert r.status_code == 403
    assert Outbox.objects.get(pk=pk).state == State.PLANNED
