"""The local Twilio checks HTTP Basic auth the way Twilio does."""

from __future__ import annotations

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from porchlight.notify.channels.sms import RebasedHttpClient
from standins.twilio_local.testing import FROM_NUMBER


def test_wrong_token_is_401_with_twilios_error_json(local_twilio):
    response = requests.post(
        f"{local_twilio.base_url}/2010-04-01/Accounts/{local_twilio.account_sid}/Messages.json",
        data={"To": "+15558675310", "From": FROM_NUMBER, "Body": "hi"},
        auth=(local_twilio.account_sid, "not-the-token"),
        timeout=5,
    )

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    body = response.json()
    assert body["code"] == 20003
    assert body["status"] == 401
    assert body["more_info"] == "https://www.twilio.com/docs/errors/20003"
    assert body["message"] == "Authenticate"
    assert local_twilio.messages() == []


@pytest.mark.parametrize("auth", [None, ("AC" + "1" * 32, "local-twilio-auth-token")])
def test_missing_or_other_credentials_are_refused(local_twilio, auth):
    response = requests.get(
        f"{local_twilio.base_url}/2010-04-01/Accounts/{local_twilio.account_sid}/Messages.json",
        auth=auth,
        timeout=5,
    )
    assert response.status_code == 401
    assert response.json()["code"] == 20003


def test_the_sdk_sees_20003(local_twilio):
    http = RebasedHttpClient(local_twilio.base_url, timeout=5)
    client = Client(local_twilio.account_sid, "wrong", http_client=http)

    with pytest.raises(TwilioRestException) as raised:
        client.messages.create(to="+15558675310", from_=FROM_NUMBER, body="hi")

    assert (raised.value.status, raised.value.code) == (401, 20003)


def test_another_accounts_path_is_not_found(local_twilio):
    response = requests.get(
        f"{local_twilio.base_url}/2010-04-01/Accounts/AC{'2' * 32}/Messages.json",
        auth=(local_twilio.account_sid, local_twilio.auth_token),
        timeout=5,
    )
    assert response.status_code == 404
    assert response.json()["code"] == 20404
