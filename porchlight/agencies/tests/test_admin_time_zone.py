"""The admin shows times on the staff member's agency clock, with the zone named."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from porchlight.agencies.models import Agency
from porchlight.agencies.tests.conftest import make_user, sign_in
from porchlight.audit.log import record

# 21:30 UTC on 23 November is 13:30 in Bakersfield (PST) and 15:30 in Chicago (CST).
AT = datetime(2026, 11, 23, 21, 30, tzinfo=UTC)


@pytest.fixture
def made_at_noon(agency: Agency) -> Agency:
    Agency.objects.filter(pk=agency.pk).update(created=AT, time_zone="America/Los_Angeles")
    agency.refresh_from_db()
    return agency


def signed_in(agency: Agency | None, **user: bool) -> Client:
    client = Client()
    login, secret = make_user("pat", agency=agency, **user)
    sign_in(client, login.username, secret)
    return client


def test_staff_read_admin_times_in_their_agency_zone(made_at_noon):
    client = signed_in(made_at_noon)
    page = client.get(f"/admin/agencies/agency/{made_at_noon.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Nov. 23, 2026, 1:30 p.m. PST" in text
    assert "9:30 p.m." not in text


def test_the_list_columns_are_local_too(made_at_noon):
    Agency.objects.filter(pk=made_at_noon.pk).update(time_zone="America/Chicago")
    with time_machine.travel(AT, tick=False):
        record("test.clock", actor_label="clock", agency=made_at_noon, target=made_at_noon)
    client = signed_in(made_at_noon)
    page = client.get("/admin/audit/auditentry/?action=test.clock")
    assert page.status_code == 200
    assert "Nov. 23, 2026, 3:30 p.m. CST" in page.content.decode()


def test_in_spanish_too(made_at_noon):
    client = signed_in(made_at_noon)
    page = client.get(
        f"/admin/agencies/agency/{made_at_noon.pk}/change/", HTTP_ACCEPT_LANGUAGE="es"
    )
    assert "23 de noviembre de 2026 a las 13:30 PST" in page.content.decode()


def test_platform_superusers_read_utc_with_the_zone_named(made_at_noon):
    client = signed_in(None, superuser=True)
    page = client.get(f"/admin/agencies/agency/{made_at_noon.pk}/change/")
    assert page.status_code == 200
    assert "Nov. 23, 2026, 9:30 p.m. UTC" in page.content.decode()
