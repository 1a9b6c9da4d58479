"""The all-agency view's default dates and period shortcuts start from the latest today on
any agency's clock (filters.today), as its figures and weekly chart read each row on its own
agency's clock, not from the server's (UTC).

Honolulu (UTC-10) and Berlin (UTC+1) at 23:30 UTC on Monday 30 November 2026: 13:30 on the
30th in Honolulu, 00:30 on Tuesday 1 December in Berlin; UTC's date is still the 30th."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from porchlight.demo.agency import make_agency
from porchlight.insights import period
from porchlight.insights.filters import Filters
from standins.browser import client_login, make_superuser

pytestmark = pytest.mark.django_db

NIGHT = datetime(2026, 11, 30, 23, 30, tzinfo=ZoneInfo("UTC"))
BERLIN_TODAY, HONOLULU_TODAY = date(2026, 12, 1), date(2026, 11, 30)


@pytest.fixture
def far_apart():
    honolulu = make_agency(
        slug="honolulu", name="Honolulu Police", ori="HI0020000", time_zone="Pacific/Honolulu"
    )
    berlin = make_agency(
        slug="berlin", name="Berlin Polizei", ori="DE0000001", time_zone="Europe/Berlin"
    )
    with time_machine.travel(NIGHT, tick=False):
        yield honolulu, berlin


def test_the_default_range_ends_on_the_latest_today(far_apart):
    filters = Filters.from_query({}, None)
    assert (filters.since, filters.until) == (date(2026, 11, 2), BERLIN_TODAY)  # 30 days


def test_an_agency_default_range_is_still_its_own(far_apart):
    honolulu, berlin = far_apart
    assert Filters.from_query({}, honolulu).until == HONOLULU_TODAY
    assert Filters.from_query({}, berlin).until == BERLIN_TODAY
    # A start date alone still ends the range on that today.
    assert Filters.from_query({"since": "2026-11-20"}, None).until == BERLIN_TODAY


def test_the_shortcuts_start_from_the_latest_today(far_apart):
    found = {name: (f.since, f.until) for name, f in period.shortcuts(None)}
    assert found["Last 30 days"] == (date(2026, 11, 2), BERLIN_TODAY)
    # Berlin's December has begun, so last month is November (UTC's: October).
    assert found["Last month"] == (date(2026, 11, 1), date(2026, 11, 30))
    assert found["Last three full months"] == (date(2026, 9, 1), date(2026, 11, 30))
    honolulu, _berlin = far_apart
    own = {name: (f.since, f.until) for name, f in period.shortcuts(honolulu)}
    assert own["Last month"] == (date(2026, 10, 1), date(2026, 10, 31))


def test_the_superuser_pages_default_to_it(client, far_apart):
    client_login(client, make_superuser())
    for url in ("/console/insights/calls/", "/console/insights/feedback/"):
        page = client.get(url)
        assert page.status_code == 200
        assert 'name="until" value="2026-12-01"' in page.content.decode(), url
    report = client.get("/console/insights/period/").content.decode()
    assert "since=2026-11-01&amp;until=2026-11-30" in report  # the "Last month" link
