"""TwilioSms sends through the real SDK and returns Twilio's sid and status."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from porchlight.notify.channels.base import Message, Receipt, TransientError
from porchlight.notify.channels.sms import TwilioSms, is_configured
from standins.twilio_local.testing import FROM_NUMBER


def test_send_returns_twilios_sid_and_status(local_twilio, twilio_sms):
    receipt = twilio_sms.send(Message(outbox_id=7, to="+15558675310", body="Call received."))

    [stored] = local_twilio.messages()
    assert receipt == Receipt(provider_id=stored["sid"], status="queued")
    assert (stored["to"], stored["from"], stored["body"]) == (
        "+15558675310",
        FROM_NUMBER,
        "Call received.",
    )


def test_status_callback_carries_the_outbox_url(local_twilio, twilio_sms, webhook):
    twilio_sms.send(
        Message(
            outbox_id=7,
            to="+15558675310",
            body="hi",
            status_callback=webhook.url("/hooks/sms/status/7"),
        )
    )
    assert {p.path for p in webhook.wait_for(3)} == {"/hooks/sms/status/7"}


def test_settings_configure_the_channel_and_point_the_sdk_at_the_local_server(local_twilio):
    with override_settings(
        TWILIO_ACCOUNT_SID=local_twilio.account_sid,
        TWILIO_AUTH_TOKEN=local_twilio.auth_token,
        TWILIO_FROM_NUMBER="",
        TWILIO_MESSAGING_SERVICE_SID="MG" + "b" * 32,
        TWILIO_API_BASE=local_twilio.base_url,
    ):
        assert is_configured()
        receipt = TwilioSms().send(Message(outbox_id=1, to="+15558675310", body="hi"))

    [stored] = local_twilio.messages()
    assert stored["sid"] == receipt.provider_id
    assert stored["messaging_service_sid"] == "MG" + "b" * 32


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"TWILIO_ACCOUNT_SID": ""}, "TWILIO_ACCOUNT_SID"),
        ({"TWILIO_FROM_NUMBER": "", "TWILIO_MESSAGING_SERVICE_SID": ""}, "TWILIO_FROM_NUMBER"),
    ],
)
def test_missing_settings_say_which(overrides, words):
    base = {
        "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
        "TWILIO_AUTH_TOKEN": "t",
        "TWILIO_FROM_NUMBER": FROM_NUMBER,
        "TWILIO_MESSAGING_SERVICE_SID": "",
    }
    with override_settings(**{**base, **overrides}):
        assert not is_configured()
        with pytest.raises(ImproperlyConfigured, match=words):
            TwilioSms()


def test_the_default_api_base_is_twilio_itself():
    sms = TwilioSms(
        account_sid="AC" + "1" * 32,
        auth_token="t",
        from_number=FROM_NUMBER,
        api_base="https://api.twilio.com",
    )
    # No rewriting: the SDK's own hosts (api., lookups., …) are used as they are.
    assert sms.http._base is None


def test_an_egress_proxy_from_the_environment_is_used(local_twilio, webhook, monkeypatch):
    # Agencies often reach the internet only through a proxy; reading the variables once at
    # construction must keep honouring them.
    host, port = webhook.address()
    monkeypatch.setenv("HTTP_PROXY", f"http://{host}:{port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    sms = TwilioSms(
        account_sid=local_twilio.account_sid,
        auth_token=local_twilio.auth_token,
        from_number=FROM_NUMBER,
        api_base=local_twilio.base_url,
        timeout=5,
    )

    with pytest.raises(TransientError):  # the stand-in proxy answers with XML, not Twilio JSON
        sms.send(Message(outbox_id=1, to="+15558675310", body="hi"))

    [proxied] = webhook.requests
    assert proxied.path.startswith(local_twilio.base_url)  # a proxy request names the full URL
    assert local_twilio.messages() == []

    monkeypatch.setenv("NO_PROXY", host)
    direct = TwilioSms(
        account_sid=local_twilio.account_sid,
        auth_token=local_twilio.auth_token,
        from_number=FROM_NUMBER,
        api_base=local_twilio.base_url,
        timeout=5,
    )
    direct.send(Message(outbox_id=1, to="+15558675310", body="hi"))
    assert len(local_twilio.messages()) == 1
