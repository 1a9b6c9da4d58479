"""A platform superuser (no agency of their own) picks the agency on the records pages, and
what they do acts on that agency only."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import get_user_model
from django.utils import timezone

from porchlight.demo.agency import make_agency
from porchlight.operations.models import LegalHold, RetentionSettings
from porchlight.operations.tests.builders import cleared_call
from standins.browser import StaffLogin, client_login


@pytest.fixture
def platform(client):
    password = secrets.token_urlsafe(16)
    user = get_user_model().objects.create_superuser("root", "root@example.org", password)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    client_login(client, StaffLogin(user, password, secret))
    return client


@pytest.mark.django_db
def test_the_platform_picks_an_agency_then_acts_on_it(platform, agency):
    other = make_agency(slug="kern", ori="CA0150000", name="Kern County Sheriff")
    cleared_call(other, "26-990000", timezone.now() - timedelta(days=200), phone="+16615550170")
    picker = platform.get("/console/operations/retention/").content.decode()
    assert "?agency=kern" in picker and "26-990000" not in picker
    page = platform.get("/console/operations/retention/?agency=kern").content.decode()
    assert "26-990000" in page and 'name="agency" value="kern"' in page

    r = platform.post(
        "/console/operations/holds/",
        {"agency": "kern", "target": "incident", "value": "26-990000", "reason": "Claim"},
    )
    assert r.status_code == 302 and r["Location"].endswith("?agency=kern")
    assert LegalHold.objects.get().agency == other
    # Without an agency there is nothing to act on: a 400 that says so.
    r = platform.post("/console/operations/retention/policy/", {"purge_after_days": "30"})
    assert r.status_code == 400
    r = platform.post(
        "/console/operations/retention/policy/", {"agency": "kern", "purge_after_days": "30"}
    )
    assert r.status_code == 302
    assert RetentionSettings.days_for(other.pk) == 30
    assert RetentionSettings.days_for(agency.pk) == 180
