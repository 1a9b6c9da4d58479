"""Configured failures: Twilio's error codes and statuses per number, magic numbers, a seeded
failure rate, latency, and input validation."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from twilio.base.exceptions import TwilioRestException

from standins.twilio_local import LocalTwilio
from standins.twilio_local.testing import FROM_NUMBER


def create(twilio, **data):
    return requests.post(
        f"{twilio.base_url}/2010-04-01/Accounts/{twilio.account_sid}/Messages.json",
        data=data,
        auth=(twilio.account_sid, twilio.auth_token),
        timeout=5,
    )


@pytest.mark.parametrize(
    ("code", "status", "words"),
    [
        (21211, 400, "is not a valid phone number"),
        (21610, 400, "unsubscribed recipient"),
        (21408, 400, "Permission to send an SMS has not been enabled"),
        (21614, 400, "not a valid mobile number"),
        (20429, 429, "Too Many Requests"),
        (20500, 500, "Internal Server Error"),
        (20503, 503, "Service Unavailable"),
    ],
)
def test_a_number_can_be_set_to_fail_with_a_twilio_error(local_twilio, code, status, words):
    local_twilio.fail_number("+15558675310", code)

    response = create(local_twilio, To="+15558675310", From=FROM_NUMBER, Body="hi")

    assert response.status_code == status
    body = response.json()
    assert set(body) == {"code", "message", "more_info", "status"}
    assert (body["code"], body["status"]) == (code, status)
    assert words in body["message"]
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
    assert local_twilio.messages() == []
    # Other numbers are unaffected.
    assert create(local_twilio, To="+15558675311", From=FROM_NUMBER, Body="hi").status_code == 201


def test_429_says_when_to_retry(local_twilio):
    local_twilio.fail_number("+15558675310", 20429)
    response = create(local_twilio, To="+15558675310", From=FROM_NUMBER, Body="hi")
    assert response.headers["Retry-After"] == "1"


@pytest.mark.parametrize(
    ("to", "code"),
    [
        ("+15005550001", 21211),
        ("+15005550002", 21612),
        ("+15005550003", 21408),
        ("+15005550004", 21610),
        ("+15005550009", 21614),
    ],
)
def test_twilios_magic_test_numbers(twilio_client, to, code):
    with pytest.raises(TwilioRestException) as raised:
        twilio_client.messages.create(to=to, from_=FROM_NUMBER, body="hi")
    assert raised.value.code == code


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"From": FROM_NUMBER, "Body": "hi"}, 21604),
        ({"To": "+15558675310", "Body": "hi"}, 21603),
        ({"To": "+15558675310", "From": FROM_NUMBER}, 21602),
        ({"To": "+15558675310", "From": FROM_NUMBER, "Body": "x" * 1601}, 21617),
        ({"To": "555-0100", "From": FROM_NUMBER, "Body": "hi"}, 21211),
    ],
)
def test_invalid_creates_get_twilios_validation_codes(local_twilio, data, code):
    response = create(local_twilio, **data)
    assert response.status_code == 400
    assert response.json()["code"] == code


def failure_pattern(seed: int) -> list[int | None]:
    with LocalTwilio() as twilio:
        twilio.configure(failure_rate=0.3, failure_seed=seed, failure_code=20500)
        pattern = []
        for n in range(40):
            response = create(twilio, To=f"+1555000{n:04d}", From=FROM_NUMBER, Body="hi")
            pattern.append(response.json()["code"] if response.status_code != 201 else None)
        return pattern


def test_a_seeded_failure_rate_is_deterministic():
    first, again, other = failure_pattern(7), failure_pattern(7), failure_pattern(8)

    assert first == again
    assert first != other
    failures = sum(code is not None for code in first)
    assert 4 <= failures <= 20  # about 30% of 40
    assert set(first) == {None, 20500}


def test_latency_is_added_to_each_create(local_twilio, twilio_client):
    local_twilio.configure(latency=0.3)

    started = time.monotonic()
    twilio_client.messages.create(to="+15558675310", from_=FROM_NUMBER, body="slow")
    assert time.monotonic() - started >= 0.3

    # Concurrent creates wait side by side, not in a queue: ten take about one latency.
    started = time.monotonic()
    with ThreadPoolExecutor(10) as pool:
        list(
            pool.map(
                lambda n: twilio_client.messages.create(
                    to=f"+1555867{n:04d}", from_=FROM_NUMBER, body="slow"
                ),
                range(10),
            )
        )
    assert time.monotonic() - started < 3 * 0.3

    local_twilio.configure(latency=0.0)
    started = time.monotonic()
    twilio_client.messages.create(to="+15558675310", from_=FROM_NUMBER, body="fast")
    assert time.monotonic() - started < 0.3


@pytest.mark.parametrize(
    "settings",
    [
        {"failure_rate": 2},
        {"failure_code": 99999},
        {"latency": -1},
        {"latency": "slow"},
        {"colour": "blue"},
    ],
)
def test_bad_settings_are_refused_with_a_reason(local_twilio, settings):
    with pytest.raises(ValueError):
        local_twilio.configure(**settings)
    assert local_twilio.store.behaviour.latency == 0


def test_reset_forgets_messages_and_failures(local_twilio, twilio_client):
    local_twilio.fail_number("+15558675310", 21610)
    twilio_client.messages.create(to="+15558675311", from_=FROM_NUMBER, body="hi")

    local_twilio.reset()

    assert local_twilio.messages() == []
    twilio_client.messages.create(to="+15558675310", from_=FROM_NUMBER, body="hi")
    assert len(local_twilio.messages()) == 1


def test_a_malformed_content_length_is_a_400_not_a_dropped_connection(local_twilio):
    import socket
    from urllib.parse import urlsplit

    url = urlsplit(local_twilio.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=5) as sock:
        sock.sendall(
            f"POST /2010-04-01/Accounts/{local_twilio.account_sid}/Messages.json HTTP/1.1\r\n"
            "Host: x\r\nContent-Length: lots\r\n\r\n".encode()
        )
        answer = sock.recv(4096).decode()
    assert answer.startswith("HTTP/1.1 400")
    assert "Content-Length must be a whole number" in answer


def test_outcome_control_accepts_a_code_given_as_text(local_twilio):
    local_twilio.configure(callback_delay=0.0)
    response = requests.post(
        f"{local_twilio.base_url}/_local/outcome",
        json={"to": "+15558675310", "status": "undelivered", "error_code": "30006"},
        timeout=5,
    )
    assert response.json() == {"ok": True}
    assert local_twilio.store.outcome_for("+15558675310").error_code == 30006


def list_messages(twilio, **params):
    return requests.get(
        f"{twilio.base_url}/2010-04-01/Accounts/{twilio.account_sid}/Messages.json",
        params=params,
        auth=(twilio.account_sid, twilio.auth_token),
        timeout=5,
    )


def test_the_messages_list_can_fail_with_a_twilio_error(local_twilio):
    create(local_twilio, To="+15558675310", From=FROM_NUMBER, Body="hi")
    local_twilio.configure(list_failure_code=20503)

    r = list_messages(local_twilio, To="+15558675310")
    assert r.status_code == 503 and r.json()["code"] == 20503
    # Creates are untouched: only reading the list fails.
    assert create(local_twilio, To="+15558675310", From=FROM_NUMBER, Body="hi").status_code == 201

    local_twilio.configure(list_failure_code=0)
    assert len(list_messages(local_twilio, To="+15558675310").json()["messages"]) == 2


def test_the_messages_list_can_be_slow(local_twilio):
    local_twilio.configure(list_latency=0.3)
    started = time.monotonic()
    assert list_messages(local_twilio).status_code == 200
    assert time.monotonic() - started >= 0.3


@pytest.mark.parametrize(
    "setting", [{"list_failure_code": 12345}, {"list_latency": -1.0}, {"list_latency": "slow"}]
)
def test_list_failure_settings_are_checked(local_twilio, setting):
    with pytest.raises(ValueError):
        local_twilio.configure(**setting)
