"""Sign-in attempts are limited per client behind the proxy (allauth's limits, our address)."""

from __future__ import annotations

import pytest
from django.test import Client

PROXY = "10.0.0.5"
# allauth's default: 10 failed sign-ins a minute per address (ACCOUNT_RATE_LIMITS login_failed).
ATTEMPTS = 10


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = "10.0.0.0/8"


def fail(client: Client, n: int, **headers: str) -> str:
    """One failed sign-in: "wrong" or "limited"."""
    # A different username each time, so only the per-address limit is in play.
    data = {"login": f"nobody{n}", "password": "wrong password"}
    response = client.post("/accounts/login/", data, **headers)
    assert response.status_code == 200
    text = response.content.decode()
    if "Too many failed login attempts" in text:
        return "limited"
    assert "not correct" in text, text[:2000]
    return "wrong"


def test_two_clients_behind_the_proxy_get_separate_sign_in_limits(db, behind_proxy):
    client = Client()
    a = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    b = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.20"}
    assert [fail(client, n, **a) for n in range(ATTEMPTS)] == ["wrong"] * ATTEMPTS
    assert fail(client, 99, **a) == "limited"
    assert fail(client, 100, **b) == "wrong"


def test_a_forged_header_does_not_reset_the_sign_in_limit(db, behind_proxy):
    client = Client()
    codes = [
        fail(client, n, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        for n in range(ATTEMPTS + 1)
    ]
    assert codes == ["wrong"] * ATTEMPTS + ["limited"]
