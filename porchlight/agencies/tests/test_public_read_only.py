"""The public map's API is the same for anyone: the staff middlewares leave it alone.

No session or user is read there (no SQL of theirs, no `Vary: Cookie`), a staff member's
map request is not console activity for the idle sign-out, and the console keeps every rule.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from porchlight.agencies.models import Agency
from porchlight.agencies.staff import IDLE_SESSION_KEY
from porchlight.agencies.tests.conftest import make_user, sign_in

MAP = "/api/v1/map/incidents?lat=35.37&lon=-119.02&radius=1&lang=en"
# What a session or user read would touch.
ACCOUNT_TABLES = ("django_session", "auth_user", "agencies_staff", "mfa_authenticator")


def _reads_no_account(queries: list[dict[str, str]]) -> bool:
    return not any(table in q["sql"] for q in queries for table in ACCOUNT_TABLES)


@pytest.mark.django_db
def test_a_signed_in_staff_members_map_request_reads_no_session(agency: Agency) -> None:
    _, secret = make_user("ada", agency=agency)
    client = Client()
    assert sign_in(client, "ada", secret).status_code == 302
    assert client.get("/console/").status_code == 200
    stamped = client.session[IDLE_SESSION_KEY]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(MAP)
    assert response.status_code == 200
    assert _reads_no_account(queries.captured_queries), queries.captured_queries
    assert "Cookie" not in response.get("Vary", "")
    assert client.session[IDLE_SESSION_KEY] == stamped


@pytest.mark.django_db
def test_a_session_without_a_second_factor_is_not_signed_out_by_the_map(agency: Agency) -> None:
    # The map path checks nothing, so it ends nothing either; the console still refuses.
    user, _ = make_user("ada", agency=agency)
    client = Client()
    client.force_login(user)
    assert client.get(MAP).status_code == 200
    assert "_auth_user_id" in client.session
    response = client.get("/console/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/console/"
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_only_reads_skip_the_staff_rules(agency: Agency) -> None:
    user, _ = make_user("ada", agency=agency)
    client = Client()
    client.force_login(user)
    # A write to the same prefix goes through the whole stack (and is refused: no such route).
    assert client.post(MAP).status_code in {404, 405}
    # /api/v1/mapx/ is not the map.
    assert client.get("/api/v1/mapx/").status_code == 404


@pytest.mark.django_db
def test_a_map_request_is_not_activity_for_the_idle_sign_out(agency: Agency, settings) -> None:  # type: ignore[no-untyped-def]
    settings.STAFF_IDLE_MINUTES = 30
    client = Client()
    with time_machine.travel(datetime(2026, 12, 1, 17, 0, tzinfo=UTC)) as clock:
        _, secret = make_user("ada", agency=agency)
        assert sign_in(client, "ada", secret).status_code == 302
        assert client.get("/console/").status_code == 200
        # Reading the public map at 20 and 29 minutes keeps nothing open...
        for minutes in (20, 9):
            clock.shift(timedelta(minutes=minutes))
            assert client.get(MAP).status_code == 200
        # ...so at 31 minutes the console session has been idle 31 minutes: signed out.
        clock.shift(timedelta(minutes=2))
        response = client.get("/console/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/console/"
        # The public map still answers, signed in or not.
        assert client.get(MAP).status_code == 200


@pytest.mark.django_db
def test_the_console_still_keeps_the_idle_clock(agency: Agency, settings) -> None:  # type: ignore[no-untyped-def]
    settings.STAFF_IDLE_MINUTES = 30
    client = Client()
    with time_machine.travel(datetime(2026, 12, 1, 17, 0, tzinfo=UTC)) as clock:
        _, secret = make_user("ada", agency=agency)
        sign_in(client, "ada", secret)
        for _ in range(3):
            clock.shift(timedelta(minutes=29))
            assert client.get("/console/").status_code == 200
