"""allauth's sign-in, two-factor and authenticator set-up pages wear Porchlight's layout."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from porchlight.agencies.models import Agency, Role
from porchlight.agencies.tests.conftest import PASSWORD, make_user, sign_in
from standins.browser import DESKTOP, PHONE, look, make_staff, totp_code


def in_our_layout(html: bytes) -> None:
    assert b'href="#main"' in html  # base.html's skip link
    assert b'class="brand"' in html
    assert b'id="lang-select"' in html
    assert b"Porchlight is not 911" in html
    assert b'name="csrfmiddlewaretoken"' in html
    # Strict CSP: no inline script. JSON data blocks (allauth's WebAuthn options and
    # json_script) are not run by the browser, so the CSP does not apply to them.
    assert not re.search(rb"<script(?![^>]*\b(?:src=|type=\"application/json\"))", html)
    assert b" style=" not in html


def test_login_page(db: None) -> None:
    response = Client().get("/accounts/login/?next=/admin/")
    assert response.status_code == 200
    in_our_layout(response.content)
    assert b"<title>Sign in \xc2\xb7 Porchlight</title>" in response.content
    assert b'name="next" value="/admin/"' in response.content
    assert b"sign up" not in response.content.lower()


def test_two_factor_page(agency: Agency) -> None:
    make_user("ada", agency=agency)
    client = Client()
    client.post("/accounts/login/", {"login": "ada", "password": PASSWORD})
    response = client.get("/accounts/2fa/authenticate/")
    assert response.status_code == 200
    in_our_layout(response.content)
    assert b'name="code"' in response.content


def test_activate_page(agency: Agency) -> None:
    make_user("newbie", agency=agency, totp=False)
    client = Client()
    client.post("/accounts/login/", {"login": "newbie", "password": PASSWORD})
    # Signed in seconds ago with no authenticator yet: no second password prompt (older
    # sessions are asked; see test_first_sign_in.py).
    response = client.get("/accounts/2fa/totp/activate/?next=/admin/")
    assert response.status_code == 200
    in_our_layout(response.content)
    assert b'src="data:image/svg+xml;base64,' in response.content


def test_reauthenticate_page(agency: Agency) -> None:
    # Changing an existing authenticator still asks for the password again.
    _, secret = make_user("ada", agency=agency)
    client = Client()
    sign_in(client, "ada", secret)
    response = client.get("/accounts/2fa/recovery-codes/generate/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    page = client.get(response["Location"])
    assert page.status_code == 200
    in_our_layout(page.content)
    assert b'name="password"' in page.content


VIEWPORTS = pytest.mark.parametrize(
    "viewport", [DESKTOP, PHONE], indirect=True, ids=["desktop", "phone"]
)


@VIEWPORTS
@pytest.mark.django_db(transaction=True)
def test_sign_in_to_the_admin_in_a_browser(page, live_server, agency, viewport) -> None:
    login = make_staff(agency, role=Role.ADMIN, username="ada", is_staff=True)
    tag = "phone" if viewport == PHONE else "desktop"

    page.goto(f"{live_server.url}/admin/")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    look(page, f"staff-login-{tag}")
    page.fill("input[name=login]", "ada")
    page.fill("input[name=password]", login.password)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    look(page, f"staff-totp-{tag}")
    page.fill("input[name=code]", totp_code(login.secret))
    page.press("input[name=code]", "Enter")
    page.wait_for_url(re.compile(r"/admin/$"))
    assert page.locator("#site-name").count() == 1


@VIEWPORTS
@pytest.mark.django_db(transaction=True)
def test_enrol_an_authenticator_in_a_browser(page, live_server, agency, viewport) -> None:
    user, _ = make_user("newbie", agency=agency, totp=False)
    tag = "phone" if viewport == PHONE else "desktop"

    page.goto(f"{live_server.url}/accounts/login/?next=/admin/")
    page.fill("input[name=login]", "newbie")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    # Straight to enrolment: the password was typed seconds ago.
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/"))
    look(page, f"staff-totp-activate-{tag}")
    secret = page.input_value("#authenticator_secret")
    page.fill("input[name=code]", totp_code(secret))
    page.press("input[name=code]", "Enter")
    # The code just typed is the session's second factor: on into the admin they asked for.
    page.wait_for_url(re.compile(r"/admin/$"))
    assert page.locator("#site-name").count() == 1
    assert user.authenticator_set.filter(type="totp").exists()
