"""The demo's staff login: a known password and a known TOTP secret, printed for the visitor.

This is for the demo only: a real deployment creates staff with `porchlight createstaff` and a
random secret, and each person enrols their own authenticator.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth import get_user_model
from django.core.management import call_command

from porchlight.agencies.models import Agency, Role

USERNAME = "demo"
EMAIL = "demo@bakersfield.example"
PASSWORD = "porchlight-demo-login"
# Base32, 20 bytes. Public on purpose: anyone running the demo must be able to sign in.
TOTP_SECRET = "PORCHLIGHTDEMO234567ABCDEFGHIJKL"


@dataclass
class Login:
    username: str
    email: str
    password: str
    totp_secret: str
    otpauth_uri: str


def ensure_staff(agency: Agency) -> Login:
    """The demo admin, set again on every run (so a changed password or lost TOTP is repaired)."""
    call_command(
        "createstaff",
        agency=agency.slug,
        username=USERNAME,
        email=EMAIL,
        role=Role.ADMIN,
        password=PASSWORD,
        totp_secret=TOTP_SECRET,
        reset=True,
        stdout=io.StringIO(),
    )
    user = get_user_model().objects.get(username=USERNAME)
    return Login(
        USERNAME, EMAIL, PASSWORD, TOTP_SECRET, get_mfa_adapter().build_totp_url(user, TOTP_SECRET)
    )


def current_code(secret: str = TOTP_SECRET, at: float | None = None) -> str:
    """The code an authenticator app shows now."""
    step = int((time.time() if at is None else at) // mfa_settings.TOTP_PERIOD)
    return format_hotp_value(hotp_value(secret, step))
