"""A staff member who lost their phone signs in with a recovery code, once per code; the second
factor is still required afterwards (a password alone never opens the console)."""

from __future__ import annotations

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.test import Client

from porchlight.agencies.models import Agency
from porchlight.agencies.tests.conftest import PASSWORD, make_user


def password_step(client: Client) -> None:
    response = client.post("/accounts/login/", {"login": "ada", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"


@pytest.mark.django_db
def test_sign_in_with_a_recovery_code_once(agency: Agency) -> None:
    user, _ = make_user("ada", agency=agency)
    codes = RecoveryCodes.activate(user).get_unused_codes()
    assert len(codes) == 10
    client = Client()
    password_step(client)
    assert client.get("/console/").status_code == 302  # not yet: the second step is pending
    response = client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert response.status_code == 302
    assert client.get("/console/").status_code == 200
    client.post("/accounts/logout/")

    again = Client()
    password_step(again)
    response = again.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert response.status_code == 200 and "Incorrect code" in response.content.decode()
    assert again.get("/console/").status_code == 302
    assert again.post("/accounts/2fa/authenticate/", {"code": codes[1]}).status_code == 302
    assert again.get("/console/").status_code == 200
