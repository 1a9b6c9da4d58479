"""`porchlight createstaff`: a staff member with a password and an authenticator, from the shell.

The demo uses it to print a working login: with --totp-secret the authenticator is known in
advance, so the demo can show the secret and anyone can add it to an authenticator app.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from porchlight.agencies.models import Agency, Role, Staff
from porchlight.audit.log import record


def check_totp_secret(secret: str) -> str:
    secret = secret.replace(" ", "").upper()
    try:
        raw = base64.b32decode(secret, casefold=True)
    except (binascii.Error, ValueError) as exc:
        raise CommandError(f"--totp-secret must be base32 (A–Z, 2–7): {exc}") from exc
    if len(raw) < 10:
        raise CommandError("--totp-secret must hold at least 80 bits (16 base32 characters).")
    return secret


class Command(BaseCommand):
    help = "Create a staff member of an agency, with a password and a TOTP authenticator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help="Agency slug.")
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--password", help="Default: a random password, printed once.")
        parser.add_argument("--totp-secret", help="Base32 TOTP secret. Default: a random one.")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="If the user exists, set their agency, role, password and authenticator again.",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        agency = Agency.objects.filter(slug=opts["agency"]).first()
        if agency is None:
            raise CommandError(f"No agency with slug '{opts['agency']}'.")
        try:
            validate_email(opts["email"])
        except ValidationError as exc:
            raise CommandError(f"--email: {exc.messages[0]}") from exc
        secret = (
            check_totp_secret(opts["totp_secret"])
            if opts["totp_secret"]
            else generate_totp_secret()
        )
        password = opts["password"] or secrets.token_urlsafe(12)

        User = get_user_model()
        with transaction.atomic():
            user = User.objects.filter(username=opts["username"]).first()
            if user is not None and not opts["reset"]:
                raise CommandError(
                    f"User '{opts['username']}' exists already (add --reset to set it again)."
                )
            if user is None:
                user = User(username=opts["username"])
            user.email = opts["email"].lower()
            user.is_staff = True
            user.is_active = True
            if opts["password"]:
                try:
                    validate_password(password, user)
                except ValidationError as exc:
                    raise CommandError("--password: " + " ".join(exc.messages)) from exc
            user.set_password(password)
            user.save()
            # Created by an operator who vouches for the address: allauth's mandatory email
            # verification must not block the first sign-in.
            EmailAddress.objects.filter(user=user).delete()
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            staff, _ = Staff.objects.update_or_create(
                user=user, defaults={"agency": agency, "role": opts["role"]}
            )
            Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
            # allauth's own API, so the secret is encrypted exactly as allauth stores it.
            TOTP.activate(user, secret)
            record(
                "staff.create",
                actor_label="createstaff",
                agency=agency,
                target=staff,
                changes={
                    "role": staff.role,
                    "username": user.username,
                    "reset": bool(opts["reset"]),
                },
            )

        uri = get_mfa_adapter().build_totp_url(user, secret)
        self.stdout.write(f"agency:      {agency.slug}")
        self.stdout.write(f"username:    {user.username}")
        self.stdout.write(f"password:    {password}")
        self.stdout.write(f"role:        {staff.get_role_display()}")
        self.stdout.write(f"totp secret: {secret}")
        self.stdout.write(f"otpauth uri: {uri}")
