"""valid_signature(): Twilio's webhook signature, checked with the SDK's RequestValidator."""

from __future__ import annotations

from django.http import QueryDict
from django.test import override_settings

from porchlight.notify.signatures import valid_signature
from standins.twilio_local import sign

URL = "https://porchlight.example.org/hooks/sms/status/41?x=1"
PARAMS = {"MessageSid": "SM" + "a" * 32, "MessageStatus": "delivered", "To": "+15558675310"}


@override_settings(TWILIO_AUTH_TOKEN="secret-token")
def test_a_good_signature_is_valid_with_a_dict_and_a_querydict():
    signature = sign("secret-token", URL, PARAMS)
    assert valid_signature(URL, PARAMS, signature)
    form = QueryDict(mutable=True)
    form.update(PARAMS)
    assert valid_signature(URL, form, signature)


@override_settings(TWILIO_AUTH_TOKEN="secret-token")
def test_wrong_key_changed_params_or_another_url_are_invalid():
    signature = sign("secret-token", URL, PARAMS)
    assert not valid_signature(URL, PARAMS, sign("other-token", URL, PARAMS))
    assert not valid_signature(URL, {**PARAMS, "MessageStatus": "failed"}, signature)
    assert not valid_signature(URL.replace("41", "42"), PARAMS, signature)
    assert not valid_signature(URL, PARAMS, "")


@override_settings(TWILIO_AUTH_TOKEN="")
def test_without_a_token_nothing_is_valid():
    assert not valid_signature(URL, PARAMS, sign("", URL, PARAMS))
