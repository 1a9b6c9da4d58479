"""Staff sign in with a password and a real TOTP code; anything less is refused."""

from __future__ import annotations

import time

import time_machine
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client

from porchlight.agencies.models import Agency, Role
from porchlight.agencies.tests.conftest import PASSWORD, make_user, sign_in
from standins.browser import totp_code


def test_staff_without_totp_is_sent_to_enrol(agency: Agency) -> None:
    make_user("newbie", agency=agency, role=Role.SUPERVISOR, totp=False)
    client = Client()
    response = sign_in(client, "newbie", None)
    for path in ("/admin/", "/console/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/2fa/totp/activate/?next={path}"


def test_password_only_session_is_refused_and_signed_out(agency: Agency) -> None:
    make_user("ada", agency=agency, totp=True)
    for path in ("/admin/", "/console/"):
        client = Client()
        response = client.post(
            "/accounts/login/", {"login": "ada", "password": "correct horse battery staple"}
        )
        # allauth holds the login at the second-factor stage: not signed in yet.
        assert response["Location"] == "/accounts/2fa/authenticate/"
        response = client.get(path, follow=True)
        assert response.redirect_chain, "the staff page was served without a second factor"
        # It ends on allauth's pending second-factor step, which asks for the code.
        assert response.request["PATH_INFO"] in {"/accounts/login/", "/accounts/2fa/authenticate/"}
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session


def test_session_signed_in_without_mfa_record_is_signed_out(agency: Agency) -> None:
    # A session created some other way (force_login, an old session from before TOTP was
    # enrolled) carries no MFA record: the middleware signs it out.
    user, _ = make_user("ada", agency=agency)
    client = Client()
    client.force_login(user)
    for path in ("/admin/", "/console/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={path}"
        assert "_auth_user_id" not in client.session
        client.force_login(user)


def test_password_and_totp_gets_in(agency: Agency) -> None:
    _, secret = make_user("ada", agency=agency)
    client = Client()
    response = sign_in(client, "ada", secret)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    console = client.get("/console/")
    # The console is the other engineer's page; what matters here is that MFA let us through.
    assert not (console.status_code == 302 and "/accounts/" in console["Location"])


def test_wrong_code_fails(agency: Agency) -> None:
    _, secret = make_user("ada", agency=agency)
    client = Client()
    client.post("/accounts/login/", {"login": "ada", "password": "correct horse battery staple"})
    right = totp_code(secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/2fa/authenticate/", {"code": wrong})
    assert response.status_code == 200
    assert b"Incorrect code" in response.content
    assert client.get("/admin/").status_code == 302


def test_used_code_cannot_be_reused(db: None) -> None:
    with time_machine.travel("2026-11-22 22:14:05+00:00", tick=False):
        agency = Agency.objects.create(
            slug="b", name="B", ori="CA0150201", non_emergency_number="1"
        )
        _, secret = make_user("ada", agency=agency)
        first = Client()
        assert sign_in(first, "ada", secret).status_code == 302
        assert first.get("/admin/").status_code == 200

        second = Client()
        response = sign_in(second, "ada", secret)
        assert response.status_code == 200
        assert b"Incorrect code" in response.content
        assert second.get("/admin/").status_code == 302


def test_code_from_an_old_period_fails(agency: Agency) -> None:
    # MFA_TOTP_TOLERANCE allows one period either side for clock drift, no more.
    _, secret = make_user("ada", agency=agency)
    client = Client()
    client.post("/accounts/login/", {"login": "ada", "password": PASSWORD})
    old = format_hotp_value(hotp_value(secret, int(time.time()) // 30 - 3))
    response = client.post("/accounts/2fa/authenticate/", {"code": old})
    assert response.status_code == 200
    assert b"Incorrect code" in response.content
