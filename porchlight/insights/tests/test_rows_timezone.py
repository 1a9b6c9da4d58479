"""The rows pages show times on the clock of the agency the rows belong to: staff see their
agency's; a platform superuser with no agency chosen sees each row on its own agency's clock
(with the zone's abbreviation), never UTC. The six calls (fixture.py) are in Los Angeles:
A1 began Monday 08:10 there, 16:10 UTC; the messages were made at 10:00 there."""

from __future__ import annotations

from datetime import date

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import get_user_model

from porchlight.insights import rows
from porchlight.insights.filters import Filters
from porchlight.insights.tests.screen import tables
from porchlight.insights.tests.test_other_dashboards import outbox  # noqa: F401
from standins.browser import StaffLogin, client_login

pytestmark = pytest.mark.django_db
WEEK = Filters(since=date(2026, 11, 16), until=date(2026, 11, 22))


def began(found, number):
    return next(r[1] for r in found.rows if r[0] == number)


def test_staff_see_their_agency_clock(agency, outbox):  # noqa: F811
    found = rows.call_rows(agency, WEEK, {})
    assert began(found, "A1") == "2026-11-16 08:10"


def test_every_agency_view_shows_each_rows_agency_clock(outbox):  # noqa: F811
    calls = rows.call_rows(None, WEEK, {})
    assert began(calls, "A1") == "2026-11-16 08:10 PST"  # not 16:10 UTC
    messages = rows.message_rows(None, WEEK, {})
    assert {r[1] for r in messages.rows} == {"2026-11-16 10:00 PST"}


def test_a_superuser_page_shows_the_agency_clock(client, outbox):  # noqa: F811
    user = get_user_model().objects.create_superuser(
        "root", "root@example.org", "a long enough password"
    )
    EmailAddress.objects.create(user=user, email="root@example.org", verified=True, primary=True)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    client_login(client, StaffLogin(user, "a long enough password", secret))
    page = client.get("/console/insights/calls/rows/?since=2026-11-16&until=2026-11-22")
    assert page.status_code == 200
    html = page.content.decode()
    assert "2026-11-16 08:10 PST" in html and "16:10" not in html
    assert tables(html)
