"""Status callbacks: queued -> sent -> delivered (or undelivered/failed), form-encoded and
signed so that the SDK's RequestValidator accepts them, or signed badly on request."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from standins.twilio_local.testing import FROM_NUMBER

TO = "+15558675310"


def send(client, webhook, to=TO, **extra):
    return client.messages.create(
        to=to, body="Call received.", status_callback=webhook.url("/hooks/sms/status/41"), **extra
    )


def test_delivered_message_posts_queued_sent_delivered_signed(local_twilio, twilio_client, webhook):
    message = send(twilio_client, webhook, from_=FROM_NUMBER)

    posts = webhook.wait_for(3)

    assert [p.params["MessageStatus"] for p in posts] == ["queued", "sent", "delivered"]
    validator = RequestValidator(local_twilio.auth_token)
    for post in posts:
        assert post.path == "/hooks/sms/status/41"
        assert post.headers["Content-Type"] == "application/x-www-form-urlencoded"
        assert validator.validate(post.url, post.params, post.headers["X-Twilio-Signature"])
        assert post.params["MessageSid"] == post.params["SmsSid"] == message.sid
        assert post.params["SmsStatus"] == post.params["MessageStatus"]
        assert post.params["AccountSid"] == local_twilio.account_sid
        assert (post.params["To"], post.params["From"]) == (TO, FROM_NUMBER)
        assert post.params["ApiVersion"] == "2010-04-01"
        assert "ErrorCode" not in post.params
    assert twilio_client.messages(message.sid).fetch().status == "delivered"
    assert [c["response_status"] for c in local_twilio.wait_for_callbacks(3)] == [200] * 3


@pytest.mark.parametrize("code", [30003, 30005, 30006])
def test_undelivered_carries_the_error_code(local_twilio, twilio_client, webhook, code):
    local_twilio.set_outcome(TO, "undelivered", code)

    message = send(twilio_client, webhook, from_=FROM_NUMBER)
    posts = webhook.wait_for(3)

    assert [p.params["MessageStatus"] for p in posts] == ["queued", "sent", "undelivered"]
    assert posts[-1].params["ErrorCode"] == str(code)
    assert all("ErrorCode" not in p.params for p in posts[:-1])
    fetched = twilio_client.messages(message.sid).fetch()
    assert (fetched.status, fetched.error_code) == ("undelivered", code)
    validator = RequestValidator(local_twilio.auth_token)
    assert validator.validate(
        posts[-1].url, posts[-1].params, posts[-1].headers["X-Twilio-Signature"]
    )


def test_failed_message_is_never_sent(local_twilio, twilio_client, webhook):
    local_twilio.set_outcome(TO, "failed", 30008)

    send(twilio_client, webhook, from_=FROM_NUMBER)
    posts = webhook.wait_for(2)

    assert [p.params["MessageStatus"] for p in posts] == ["queued", "failed"]
    assert posts[-1].params["ErrorCode"] == "30008"


def test_bad_signatures_fail_validation(local_twilio, twilio_client, webhook):
    local_twilio.configure(sign_callbacks_badly=True)

    send(twilio_client, webhook, from_=FROM_NUMBER)
    posts = webhook.wait_for(3)

    validator = RequestValidator(local_twilio.auth_token)
    for post in posts:
        assert post.headers["X-Twilio-Signature"]
        assert not validator.validate(post.url, post.params, post.headers["X-Twilio-Signature"])


def test_a_tampered_callback_fails_validation(local_twilio, twilio_client, webhook):
    send(twilio_client, webhook, from_=FROM_NUMBER)
    post = webhook.wait_for(3)[-1]

    forged = {**post.params, "MessageStatus": "failed"}
    validator = RequestValidator(local_twilio.auth_token)
    assert not validator.validate(post.url, forged, post.headers["X-Twilio-Signature"])
    assert not validator.validate(
        post.url.replace("/41", "/42"), post.params, post.headers["X-Twilio-Signature"]
    )


def test_messaging_service_picks_a_sender_when_sent(local_twilio, twilio_client, webhook):
    message = send(twilio_client, webhook, messaging_service_sid="MG" + "a" * 32)
    assert message.from_ is None
    assert message.num_segments == "0"  # as Twilio answers before a sender is chosen

    posts = webhook.wait_for(3)

    assert all(p.params["MessagingServiceSid"] == "MG" + "a" * 32 for p in posts)
    assert posts[-1].params["From"]
    fetched = twilio_client.messages(message.sid).fetch()
    assert fetched.from_ and fetched.num_segments == "1"


def test_a_refusing_webhook_is_logged_not_retried(local_twilio, twilio_client, webhook):
    webhook.status = 500
    send(twilio_client, webhook, from_=FROM_NUMBER)

    log = local_twilio.wait_for_callbacks(3)

    assert [entry["response_status"] for entry in log] == [500, 500, 500]
    assert len(webhook.requests) == 3


def test_no_status_callback_still_moves_the_message(local_twilio, twilio_client, webhook):
    message = twilio_client.messages.create(to=TO, from_=FROM_NUMBER, body="hi")
    local_twilio.wait_for_status(message.sid, "delivered")
    assert webhook.requests == []
