"""TwilioSms.line_type(): Twilio Lookup v2's line type intelligence, through the real SDK."""

from __future__ import annotations

import pytest
import requests

from porchlight.notify.channels.base import TransientError
from porchlight.notify.channels.sms import TwilioSms

MOBILE = "+16615550142"
LANDLINE = "+16615550100"


@pytest.fixture
def lookup_on(settings):
    settings.TWILIO_LOOKUP = True
    return settings


def test_a_number_is_mobile_unless_seeded_otherwise(lookup_on, local_twilio, twilio_sms):
    local_twilio.set_line_type(LANDLINE, "landline")

    assert twilio_sms.line_type(MOBILE) == "mobile"
    assert twilio_sms.line_type(LANDLINE) == "landline"
    assert local_twilio.lookups() == [MOBILE, LANDLINE]


@pytest.mark.parametrize(
    ("twilio_type", "ours"),
    [
        ("fixedVoip", "voip"),
        ("nonFixedVoip", "voip"),
        ("tollFree", "toll_free"),
        ("pager", "pager"),
        ("unknown", ""),
    ],
)
def test_twilios_types_in_our_words(lookup_on, local_twilio, twilio_sms, twilio_type, ours):
    local_twilio.set_line_type(LANDLINE, twilio_type)
    assert twilio_sms.line_type(LANDLINE) == ours


def test_an_invalid_number_is_invalid_not_an_error(lookup_on, local_twilio, twilio_sms):
    assert twilio_sms.line_type("+1661555") == "invalid"
    assert twilio_sms.line_type("+16610550142") == "invalid"  # no exchange starts with 0


def test_lookup_off_asks_nobody(settings, local_twilio, twilio_sms):
    settings.TWILIO_LOOKUP = False
    local_twilio.set_line_type(LANDLINE, "landline")

    assert twilio_sms.line_type(LANDLINE) == ""
    assert local_twilio.lookups() == []


@pytest.mark.parametrize("code", [20429, 20500, 20503])
def test_provider_errors_are_transient(lookup_on, local_twilio, twilio_sms, code):
    local_twilio.fail_lookup(MOBILE, code)

    with pytest.raises(TransientError) as caught:
        twilio_sms.line_type(MOBILE)

    assert caught.value.code == str(code)
    assert not caught.value.maybe_sent
    if code == 20429:
        assert caught.value.retry_after == 1.0


def test_wrong_credentials_and_no_server_are_transient(lookup_on, local_twilio):
    wrong = TwilioSms(
        account_sid=local_twilio.account_sid,
        auth_token="not-the-token",
        from_number="+15017122661",
        api_base=local_twilio.base_url,
        timeout=5,
    )
    with pytest.raises(TransientError) as caught:
        wrong.line_type(MOBILE)
    assert caught.value.code == "20003"

    base = local_twilio.base_url
    local_twilio.stop()
    gone = TwilioSms(
        account_sid=local_twilio.account_sid,
        auth_token=local_twilio.auth_token,
        from_number="+15017122661",
        api_base=base,
        timeout=2,
    )
    with pytest.raises(TransientError) as caught:
        gone.line_type(MOBILE)
    assert caught.value.code == "connection_refused"


def test_the_local_lookup_answers_in_twilios_shape(local_twilio):
    local_twilio.set_line_type(LANDLINE, "landline")
    auth = (local_twilio.account_sid, local_twilio.auth_token)
    url = f"{local_twilio.base_url}/v2/PhoneNumbers/{LANDLINE}"

    plain = requests.get(url, auth=auth, timeout=5).json()
    assert plain["valid"] is True and plain["validation_errors"] == []
    assert plain["line_type_intelligence"] is None  # only when asked for, and paid for
    assert (plain["calling_country_code"], plain["country_code"]) == ("1", "US")
    assert plain["national_format"] == "(661) 555-0100"

    asked = requests.get(url, params={"Fields": "line_type_intelligence"}, auth=auth, timeout=5)
    assert asked.status_code == 200
    assert asked.json()["line_type_intelligence"]["type"] == "landline"

    invalid = requests.get(f"{local_twilio.base_url}/v2/PhoneNumbers/12", auth=auth, timeout=5)
    assert invalid.status_code == 200
    body = invalid.json()
    assert body["valid"] is False and body["validation_errors"] == ["INVALID_COUNTRY_CODE"]

    refused = requests.get(url, auth=(local_twilio.account_sid, "wrong"), timeout=5)
    assert refused.status_code == 401 and refused.json()["code"] == 20003


def test_the_sdk_lookups_host_is_rebased_to_the_local_server(local_twilio, twilio_client):
    # The SDK calls https://lookups.twilio.com/v2/…; the rebasing client sends it here.
    found = twilio_client.lookups.v2.phone_numbers(MOBILE).fetch(fields="line_type_intelligence")
    assert found.phone_number == MOBILE
    assert found.line_type_intelligence["type"] == "mobile"
    assert local_twilio.lookups() == [MOBILE]


def test_seeding_an_unknown_type_is_refused(local_twilio):
    with pytest.raises(ValueError, match="unknown line type"):
        local_twilio.set_line_type(MOBILE, "cellphone")


def test_the_http_controls_seed_and_report_lookups(local_twilio, twilio_client):
    base = local_twilio.base_url
    seeded = requests.post(
        f"{base}/_local/line_type", json={"number": LANDLINE, "type": "landline"}, timeout=5
    )
    assert seeded.json() == {"ok": True}
    found = twilio_client.lookups.v2.phone_numbers(LANDLINE).fetch(fields="line_type_intelligence")
    assert found.line_type_intelligence["type"] == "landline"
    assert requests.get(f"{base}/_local/lookups", timeout=5).json() == {"lookups": [LANDLINE]}

    bad = requests.post(f"{base}/_local/line_type", json={"number": LANDLINE}, timeout=5)
    assert bad.status_code == 400 and "type" in bad.json()["error"]
    bad = requests.post(
        f"{base}/_local/fail_lookup", json={"number": LANDLINE, "code": 1}, timeout=5
    )
    assert bad.status_code == 400 and "unknown error code" in bad.json()["error"]
