"""Every Twilio failure becomes PermanentError or TransientError with Twilio's code."""

from __future__ import annotations

import pytest

from porchlight.notify.channels.base import Message, PermanentError, TransientError
from porchlight.notify.channels.sms import ERRORS, TwilioSms, classify
from standins.twilio_local import LocalTwilio
from standins.twilio_local.testing import FROM_NUMBER

TO = "+15558675310"


def message(to: str = TO) -> Message:
    return Message(outbox_id=1, to=to, body="Call received.")


@pytest.mark.parametrize(
    ("code", "reason", "marks_contact"),
    [
        (21211, "invalid_number", True),
        (21610, "opted_out", True),
        (21614, "not_mobile", True),
        (21408, "region_not_enabled", False),
        (21612, "unroutable", False),
    ],
)
def test_permanent_errors(local_twilio, twilio_sms, code, reason, marks_contact):
    local_twilio.fail_number(TO, code)

    with pytest.raises(PermanentError) as raised:
        twilio_sms.send(message())

    assert (raised.value.code, raised.value.reason) == (str(code), reason)
    assert raised.value.marks_contact is marks_contact


@pytest.mark.parametrize(
    ("code", "reason", "retry_after", "maybe_sent"),
    [
        (20429, "rate_limited", 1.0, False),
        (20500, "provider_error", None, True),
        (20503, "provider_unavailable", None, False),
    ],
)
def test_transient_errors(local_twilio, twilio_sms, code, reason, retry_after, maybe_sent):
    local_twilio.fail_number(TO, code)

    with pytest.raises(TransientError) as raised:
        twilio_sms.send(message())

    error = raised.value
    assert (error.code, error.reason) == (str(code), reason)
    assert error.retry_after == retry_after
    assert error.maybe_sent is maybe_sent


def test_wrong_credentials_are_transient_so_nothing_is_lost(local_twilio):
    sms = TwilioSms(
        account_sid=local_twilio.account_sid,
        auth_token="wrong",
        from_number=FROM_NUMBER,
        api_base=local_twilio.base_url,
        timeout=5,
    )
    with pytest.raises(TransientError) as raised:
        sms.send(message())
    assert (raised.value.code, raised.value.reason) == ("20003", "authentication_failed")


def test_a_provider_that_is_down_is_transient_and_not_sent():
    twilio = LocalTwilio().start()
    sms = TwilioSms(
        account_sid=twilio.account_sid,
        auth_token=twilio.auth_token,
        from_number=FROM_NUMBER,
        api_base=twilio.base_url,
        timeout=5,
    )
    twilio.stop()

    with pytest.raises(TransientError) as raised:
        sms.send(message())

    assert raised.value.code == "connection_refused"
    assert raised.value.maybe_sent is False


def test_a_slow_provider_times_out_and_may_have_sent(local_twilio):
    local_twilio.configure(latency=1.0)
    sms = TwilioSms(
        account_sid=local_twilio.account_sid,
        auth_token=local_twilio.auth_token,
        from_number=FROM_NUMBER,
        api_base=local_twilio.base_url,
        timeout=0.2,
    )

    with pytest.raises(TransientError) as raised:
        sms.send(message())

    assert raised.value.code == "timeout"
    assert raised.value.maybe_sent is True  # reconcile with lookup() before sending again


def test_unknown_codes_fall_back_to_the_http_status():
    assert classify(29999, 400)[0] is PermanentError
    assert classify(29999, 502)[0] is TransientError
    assert classify(None, 429)[0] is TransientError


def test_delivery_codes_from_callbacks_use_the_same_table():
    assert ERRORS[30006] == (PermanentError, "landline", True)
    assert ERRORS[30005] == (PermanentError, "unknown_destination", True)
    assert ERRORS[30003][0] is PermanentError
