"""Security keys (WebAuthn) in a real Chromium: a staff member signed in with their
authenticator app adds a key, signs out, and signs in again with password and the key.

The key is Chromium's virtual authenticator (DevTools protocol: WebAuthn.enable and
WebAuthn.addVirtualAuthenticator), so the browser does the real WebAuthn ceremony and allauth
verifies a real attestation and assertion through fido2.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.mfa.models import Authenticator

from porchlight.agencies.models import Role
from standins.browser import PHONE, look, make_staff, staff_login


@pytest.mark.parametrize("viewport", [PHONE], indirect=True, ids=["phone"])
@pytest.mark.django_db(transaction=True)
def test_add_a_security_key_and_sign_in_with_it(
    page: Any, live_server: Any, agency: Any, viewport: Any, settings: Any
) -> None:
    # The live server is plain http://localhost; browsers treat localhost as secure, and the
    # server must accept that origin too (production runs on https).
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
    login = make_staff(agency, role=Role.ADMIN, username="ada", is_staff=True)
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    virtual = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    staff_login(page, live_server, login)

    page.goto(f"{live_server.url}/accounts/2fa/webauthn/add/")
    # Adding a second factor asks for the password again (allauth's re-authentication).
    page.wait_for_url(re.compile(r"/accounts/reauthenticate/"))
    look(page, "webauthn-reauthenticate-phone")
    page.fill("input[name=password]", login.password)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(re.compile(r"/accounts/2fa/webauthn/add/"))
    look(page, "webauthn-add-phone")
    page.fill("input[name=name]", "Desk key")
    page.click("#mfa_webauthn_add")
    # Wait to leave the add page (its own URL also matches "/accounts/2fa/").
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    key = Authenticator.objects.get(user=login.user, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == "Desk key"
    held = cdp.send("WebAuthn.getCredentials", {"authenticatorId": virtual["authenticatorId"]})
    assert len(held["credentials"]) == 1

    # Sign out, then in again: password, then the key instead of a code.
    page.goto(f"{live_server.url}/accounts/logout/")
    page.locator("main form button[type=submit]").click()
    page.goto(f"{live_server.url}/accounts/login/?next=/console/")
    page.fill("input[name=login]", "ada")
    page.fill("input[name=password]", login.password)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    look(page, "webauthn-authenticate-phone")
    page.click("#mfa_webauthn_authenticate")
    page.wait_for_url(re.compile(r"/console/$"))
    look(page, "webauthn-signed-in-console-phone")
    assert page.locator("h1").count() == 1
