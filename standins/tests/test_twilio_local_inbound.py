"""Inbound SMS simulation: Twilio's webhook parameters with a valid or a bad signature."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from standins.twilio_local import POOL_NUMBER


def test_inbound_posts_twilios_parameters_with_a_valid_signature(local_twilio, webhook):
    status, body = local_twilio.simulate_inbound(
        "+15558675310", "STOP", url=webhook.url("/hooks/sms/inbound")
    )

    assert (status, body) == (200, "<Response/>")
    [post] = webhook.requests
    params = post.params
    assert params["Body"] == "STOP"
    assert (params["From"], params["To"]) == ("+15558675310", POOL_NUMBER)
    assert params["NumMedia"] == "0"
    assert params["SmsStatus"] == "received"
    assert params["AccountSid"] == local_twilio.account_sid
    assert params["MessageSid"] == params["SmsSid"] == params["SmsMessageSid"]
    assert params["MessageSid"].startswith("SM")
    assert RequestValidator(local_twilio.auth_token).validate(
        post.url, params, post.headers["X-Twilio-Signature"]
    )
    # Twilio keeps inbound messages in the account's list too.
    [stored] = local_twilio.messages()
    assert (stored["direction"], stored["status"], stored["sid"]) == (
        "inbound",
        "received",
        params["MessageSid"],
    )


def test_inbound_with_a_bad_signature_fails_validation(local_twilio, webhook):
    local_twilio.simulate_inbound(
        "+15558675310", "help me", url=webhook.url("/hooks/sms/inbound"), valid_signature=False
    )

    [post] = webhook.requests
    assert not RequestValidator(local_twilio.auth_token).validate(
        post.url, post.params, post.headers["X-Twilio-Signature"]
    )


def test_inbound_goes_to_the_configured_webhook(local_twilio, webhook):
    local_twilio.configure(inbound_webhook=webhook.url("/configured"))
    local_twilio.simulate_inbound("+15558675310", "hola")
    assert webhook.requests[0].path == "/configured"


def test_inbound_without_a_webhook_says_so(local_twilio):
    with pytest.raises(ValueError, match="no inbound webhook"):
        local_twilio.simulate_inbound("+15558675310", "hi")


def test_the_webhooks_answer_is_returned(local_twilio, webhook):
    webhook.status = 403
    status, _ = local_twilio.simulate_inbound("+15558675310", "hi", url=webhook.url("/x"))
    assert status == 403
