"""The demo's account emails: with no mail server, a resident who joins finds the confirmation
in the development inbox (it was a 500: Django's SMTP backend and nothing on localhost:25)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from porchlight.notify.models import DevMessage

ROOT = Path(__file__).resolve().parents[3]
DEVMAIL = "porchlight.notify.devmail.EmailBackend"
FORM = {
    "email": "rosa@example.org",
    "password1": "lantern-Porch-93",
    "password2": "lantern-Porch-93",
}


@pytest.mark.django_db
def test_a_resident_who_joins_finds_the_confirmation_in_the_inbox(
    client: Any, agency: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = DEVMAIL
    settings.DEV_INBOX = True

    r = client.post("/n/bakersfield/join/", FORM)

    assert r.status_code == 302, r.content[:500]
    (message,) = DevMessage.objects.all()
    assert message.outbox is None and message.channel == "email"
    assert message.to == "rosa@example.org"
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body)
    assert link, message.body
    for lang, label in (("en", "Account email"), ("es", "Correo de la cuenta")):
        page = client.get("/dev/inbox/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        assert "rosa@example.org" in page and label in page
        assert link.group(0) in page
    # The link works: the resident is confirmed.
    assert client.post(link.group(0).split("testserver", 1)[1]).status_code == 302


def _email_backend(**env: str) -> str:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "PORCHLIGHT_"))}
    keep.pop("DJANGO_SETTINGS_MODULE", None)
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**keep, "DJANGO_SETTINGS_MODULE": "porchlight.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def test_the_settings_choose_it_only_without_a_mail_server() -> None:
    assert _email_backend(PORCHLIGHT_DEV_INBOX="1") == DEVMAIL
    configured = _email_backend(PORCHLIGHT_DEV_INBOX="1", EMAIL_HOST="mail.example.org")
    assert configured == "django.core.mail.backends.smtp.EmailBackend"
    # Production (no DEV_INBOX, no DEBUG) keeps Django's SMTP backend whatever else is set.
    production = _email_backend(
        PORCHLIGHT_SECRET_KEY="x" * 50, PORCHLIGHT_PII_KEY="y" * 50, PORCHLIGHT_ALLOWED_HOSTS="a"
    )
    assert production == "django.core.mail.backends.smtp.EmailBackend"
