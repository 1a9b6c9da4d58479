"""Builders for the agencies tests: real users, real TOTP authenticators, real codes.

standins.browser.make_staff covers staff of an agency; these also make superusers without a
Staff row and staff who have not enrolled an authenticator yet.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import get_user_model
from django.test import Client

from porchlight.agencies.models import Agency, Role, Staff
from standins.browser import totp_code
from standins.builders import make_agency

PASSWORD = "correct horse battery staple"


def make_user(
    username: str,
    *,
    agency: Agency | None = None,
    role: str = Role.ADMIN,
    totp: bool = True,
    superuser: bool = False,
) -> tuple[Any, str | None]:
    user = get_user_model().objects.create_user(
        username=username,
        email=f"{username}@example.org",
        password=PASSWORD,
        is_staff=True,
        is_superuser=superuser,
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    if agency is not None:
        Staff.objects.create(user=user, agency=agency, role=role)
    secret = None
    if totp:
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
    return user, secret


def sign_in(client: Client, username: str, secret: str | None) -> Any:
    """Password, then the authenticator code, through allauth's own pages."""
    response = client.post("/accounts/login/", {"login": username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    if secret is None:
        return response
    assert response["Location"] == "/accounts/2fa/authenticate/"
    return client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})


@pytest.fixture
def other_agency(db: None) -> Agency:
    return make_agency(slug="kern", name="Kern County Sheriff", ori="CA0150000")


@pytest.fixture
def signed_in(agency: Agency) -> Callable[..., Client]:
    """A client signed in with password and TOTP as a staff member of `agency` (or a superuser)."""

    def build(
        username: str = "ada",
        role: str = Role.ADMIN,
        *,
        of: Agency | None = None,
        superuser: bool = False,
    ) -> Client:
        member_of = None if superuser else (of or agency)
        _, secret = make_user(username, agency=member_of, role=role, superuser=superuser)
        client = Client()
        response = sign_in(client, username, secret)
        assert response.status_code == 302, response.content[:500]
        return client

    return build
