"""Failed sign-ins are limited per account (passwords and second-factor codes alike), and idle
staff sessions end (STAFF_IDLE_MINUTES). The per-address limit behind a proxy is
test_login_rate_limit_proxy.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from porchlight.agencies.models import Agency
from porchlight.agencies.tests.conftest import PASSWORD, make_user, sign_in
from standins.browser import totp_code

LIMITED = "Too many failed login attempts"


def post_login(client: Client, password: str, ip: str) -> str:
    response = client.post(
        "/accounts/login/", {"login": "ada", "password": password}, REMOTE_ADDR=ip
    )
    if response.status_code == 302:
        return "in"
    text = response.content.decode()
    return "limited" if LIMITED in text else "wrong"


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_whatever_the_address(agency: Agency) -> None:
    make_user("ada", agency=agency)
    client = Client()
    # Five addresses, so the per-address limit (10 a minute) never applies: this is the
    # per-account one.
    tries = [post_login(client, "wrong password", f"203.0.113.{n}") for n in range(5)]
    assert tries == ["wrong"] * 5
    assert post_login(client, PASSWORD, "198.51.100.1") == "limited"
    # The window passes: the right password works again.
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=6)):
        assert post_login(Client(), PASSWORD, "198.51.100.1") == "in"


@pytest.mark.django_db
def test_wrong_authenticator_codes_are_limited_too(agency: Agency) -> None:
    _, secret = make_user("ada", agency=agency)
    assert secret is not None
    client = Client()
    assert post_login(client, PASSWORD, "203.0.113.1") == "in"
    right = totp_code(secret)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        response = client.post("/accounts/2fa/authenticate/", {"code": wrong})
        assert response.status_code == 200 and LIMITED not in response.content.decode()
    response = client.post("/accounts/2fa/authenticate/", {"code": right})
    assert response.status_code == 200 and LIMITED in response.content.decode()
    assert client.get("/console/").status_code == 302


@pytest.mark.django_db
def test_an_idle_staff_session_ends(agency: Agency, settings) -> None:  # type: ignore[no-untyped-def]
    settings.STAFF_IDLE_MINUTES = 30
    start = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    client = Client()
    with time_machine.travel(start) as clock:
        _, secret = make_user("ada", agency=agency)
        assert sign_in(client, "ada", secret).status_code == 302
        assert client.get("/console/").status_code == 200
        # Activity keeps it open: 29 minutes, then 29 more.
        clock.shift(timedelta(minutes=29))
        assert client.get("/console/").status_code == 200
        clock.shift(timedelta(minutes=29))
        assert client.get("/console/").status_code == 200
        # Then 31 minutes with nothing: signed out, sent to sign in, back to the page after.
        clock.shift(timedelta(minutes=31))
        response = client.get("/console/cases/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/console/cases/"
        assert "_auth_user_id" not in client.session
        assert client.get("/console/").status_code == 302


@pytest.mark.django_db
def test_the_idle_window_is_a_setting(agency: Agency, settings) -> None:  # type: ignore[no-untyped-def]
    settings.STAFF_IDLE_MINUTES = 5
    client = Client()
    with time_machine.travel(datetime(2026, 12, 1, 17, 0, tzinfo=UTC)) as clock:
        _, secret = make_user("ada", agency=agency)
        sign_in(client, "ada", secret)
        assert client.get("/console/").status_code == 200
        clock.shift(timedelta(minutes=6))
        assert client.get("/console/").status_code == 302
