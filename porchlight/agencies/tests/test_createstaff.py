"""`porchlight createstaff`: a working login with a known TOTP secret, stored the allauth way."""

from __future__ import annotations

import io
import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.core.management import CommandError, call_command
from django.test import Client

from porchlight.agencies.models import Agency, Role, Staff
from porchlight.audit.models import AuditEntry
from standins.browser import totp_code

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def run(**opts: object) -> str:
    out = io.StringIO()
    args = {
        "agency": "bakersfield",
        "username": "demo",
        "email": "demo@example.org",
        "role": "admin",
    }
    call_command("createstaff", stdout=out, **{**args, **opts})
    return out.getvalue()


def test_creates_a_staff_member_who_can_sign_in(agency: Agency) -> None:
    out = run(totp_secret=SECRET)
    password = re.search(r"^password:\s+(\S+)$", out, re.M).group(1)
    assert re.search(rf"^totp secret:\s+{SECRET}$", out, re.M)
    assert f"otpauth://totp/demo%40example.org?secret={SECRET}&issuer=Porchlight" in out

    staff = Staff.objects.get(user__username="demo")
    assert (staff.agency, staff.role, staff.user.is_staff) == (agency, Role.ADMIN, True)
    totp = Authenticator.objects.get(user=staff.user, type=Authenticator.Type.TOTP)
    assert decrypt(totp.data["secret"]) == SECRET
    assert AuditEntry.objects.filter(action="staff.create", target_id=str(staff.pk)).exists()

    client = Client()
    client.post("/accounts/login/", {"login": "demo", "password": password})
    assert (
        client.post("/accounts/2fa/authenticate/", {"code": totp_code(SECRET)}).status_code == 302
    )
    assert client.get("/admin/").status_code == 200


def test_without_a_secret_a_random_one_is_made(agency: Agency) -> None:
    out = run()
    secret = re.search(r"^totp secret:\s+([A-Z2-7]+)$", out, re.M).group(1)
    totp = Authenticator.objects.get(user__username="demo")
    assert decrypt(totp.data["secret"]) == secret


def test_existing_user_needs_reset(agency: Agency) -> None:
    run(totp_secret=SECRET, password="a long demo passphrase")
    with pytest.raises(CommandError, match="exists already"):
        run()
    run(totp_secret=SECRET, password="another long passphrase", reset=True, role="supervisor")
    assert Staff.objects.get(user__username="demo").role == Role.SUPERVISOR
    assert Authenticator.objects.filter(user__username="demo").count() == 1


@pytest.mark.parametrize(
    ("opts", "message"),
    [
        ({"agency": "nowhere"}, "No agency"),
        ({"totp_secret": "not base32!"}, "base32"),
        ({"totp_secret": "JBSWY3DP"}, "80 bits"),
        ({"email": "nope"}, "--email"),
        ({"password": "short"}, "--password"),
    ],
)
def test_bad_options_are_explained(agency: Agency, opts: dict[str, str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(**opts)
    assert not Staff.objects.exists()


def test_unknown_role_is_refused(agency: Agency) -> None:
    with pytest.raises(CommandError, match="invalid choice"):
        call_command(
            "createstaff",
            "--agency",
            "bakersfield",
            "--username",
            "x",
            "--email",
            "x@example.org",
            "--role",
            "chief",
        )
