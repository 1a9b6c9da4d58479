"""A new staff member's first sign-in: the password once, enrol an authenticator, then straight in.

Real password, real TOTP codes from the secret shown on allauth's enrolment page, and the real
middleware deciding at each step.
"""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from allauth.account import app_settings as account_settings
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from django.test import Client
from django.utils import timezone

from porchlight.agencies.models import Agency, Role
from porchlight.agencies.tests.conftest import PASSWORD, make_user
from standins.browser import totp_code

ACTIVATE = "/accounts/2fa/totp/activate/"


def shown_secret(content: bytes) -> str:
    """The secret the page shows under the QR code, as the user would type it into their app."""
    match = re.search(rb'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', content)
    assert match, "the enrolment page shows no secret"
    return match.group(1).decode()


def asks_for_password(content: bytes) -> bool:
    return b'name="password"' in content


def mfa_records(client: Client) -> list[dict]:
    records = client.session.get(AUTHENTICATION_METHODS_SESSION_KEY, [])
    return [r for r in records if r.get("method") == "mfa"]


def test_first_sign_in_asks_for_the_password_once(agency: Agency) -> None:
    user, _ = make_user("newbie", agency=agency, role=Role.ADMIN, totp=False)
    client = Client()
    password_prompts = 0

    # The console sends an anonymous visitor to sign in, and the login page asks (1).
    response = client.get("/console/", follow=True)
    assert response.request["PATH_INFO"] == "/accounts/login/"
    password_prompts += asks_for_password(response.content)
    response = client.post(
        "/accounts/login/?next=/console/", {"login": "newbie", "password": PASSWORD}, follow=True
    )
    # Straight to enrolment: no re-authentication page in between.
    assert [url for url, _ in response.redirect_chain] == [
        "/console/",
        f"{ACTIVATE}?next=/console/",
    ]
    assert response.status_code == 200
    password_prompts += asks_for_password(response.content)
    assert b'src="data:image/svg+xml;base64,' in response.content

    response = client.post(ACTIVATE, {"code": totp_code(shown_secret(response.content))})
    assert response.status_code == 302
    assert response["Location"] == "/console/"
    assert user.authenticator_set.filter(type=Authenticator.Type.TOTP).exists()
    totp = user.authenticator_set.get(type=Authenticator.Type.TOTP)
    assert [(r["type"], r["id"]) for r in mfa_records(client)] == [("totp", totp.pk)]

    console = client.get("/console/")
    assert console.status_code == 200
    assert "_auth_user_id" in client.session
    assert client.get("/admin/").status_code == 200
    assert password_prompts == 1


def test_a_wrong_code_at_enrolment_records_nothing(agency: Agency) -> None:
    user, _ = make_user("newbie", agency=agency, totp=False)
    client = Client()
    client.post("/accounts/login/", {"login": "newbie", "password": PASSWORD})
    page = client.get(f"{ACTIVATE}?next=/console/")
    right = totp_code(shown_secret(page.content))
    response = client.post(ACTIVATE, {"code": f"{(int(right) + 1) % 1_000_000:06d}"})
    assert response.status_code == 200
    assert b"Incorrect code" in response.content
    assert not user.authenticator_set.exists()
    assert mfa_records(client) == []
    assert client.get("/console/")["Location"] == f"{ACTIVATE}?next=/console/"


def test_an_unsafe_next_is_not_followed(agency: Agency) -> None:
    make_user("newbie", agency=agency, totp=False)
    client = Client()
    client.post("/accounts/login/", {"login": "newbie", "password": PASSWORD})
    page = client.get(f"{ACTIVATE}?next=https://evil.example/console/")
    response = client.post(ACTIVATE, {"code": totp_code(shown_secret(page.content))})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert response["Location"].startswith("/accounts/2fa/")


def test_an_old_session_reauthenticates_before_enrolling(agency: Agency) -> None:
    user, _ = make_user("newbie", agency=agency, totp=False)
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post("/accounts/login/", {"login": "newbie", "password": PASSWORD})
    later = start + timedelta(seconds=account_settings.REAUTHENTICATION_TIMEOUT + 1)
    with time_machine.travel(later, tick=False):
        response = client.get("/console/", follow=True)
        assert response.request["PATH_INFO"] == "/accounts/reauthenticate/"
        assert asks_for_password(response.content)
        response = client.post(response.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
        assert response.request["PATH_INFO"] == ACTIVATE
        response = client.post(ACTIVATE, {"code": totp_code(shown_secret(response.content))})
        assert response["Location"] == "/console/"
        assert client.get("/console/").status_code == 200
    assert user.authenticator_set.filter(type=Authenticator.Type.TOTP).exists()


def test_a_session_just_inside_the_timeout_is_not_asked_again(agency: Agency) -> None:
    make_user("newbie", agency=agency, totp=False)
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post("/accounts/login/", {"login": "newbie", "password": PASSWORD})
    later = start + timedelta(seconds=account_settings.REAUTHENTICATION_TIMEOUT - 5)
    with time_machine.travel(later, tick=False):
        assert client.get(ACTIVATE).status_code == 200


def test_after_enrolment_the_usual_rules_hold(agency: Agency) -> None:
    user, _ = make_user("newbie", agency=agency, totp=False)
    client = Client()
    client.post("/accounts/login/", {"login": "newbie", "password": PASSWORD})
    secret = shown_secret(client.get(f"{ACTIVATE}?next=/console/").content)
    assert client.post(ACTIVATE, {"code": totp_code(secret)})["Location"] == "/console/"

    # Changing authenticators now needs the password again, fresh session or not.
    generate = client.get("/accounts/2fa/recovery-codes/generate/")
    assert generate["Location"].startswith("/accounts/reauthenticate/")
    # Staff still cannot remove their own authenticator.
    response = client.get("/accounts/2fa/totp/deactivate/")
    assert response["Location"] == "/accounts/2fa/"
    assert user.authenticator_set.filter(type=Authenticator.Type.TOTP).exists()

    # Next time, a password alone does not get them in.
    other = Client()
    response = other.post("/accounts/login/", {"login": "newbie", "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    response = other.get("/console/")
    assert response.status_code == 302
    assert "_auth_user_id" not in other.session
