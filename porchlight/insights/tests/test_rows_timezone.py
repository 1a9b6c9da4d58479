"""The rows pages show times on the clock of the agency the rows belong to: staff see their
agency's; a platform superuser with no agency chosen sees each row on its own agency's clock
(with the zone's abbreviation), never UTC, and the filters (dates, weekday, hour) read each
row on that same clock. The six calls (fixture.py) are in Los Angeles:
A1 began Monday 08:10 there, 16:10 UTC; the messages were made at 10:00 there."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.http import QueryDict

from porchlight.calls.models import Call, Status
from porchlight.demo.agency import make_agency
from porchlight.insights import rollups, rows
from porchlight.insights.dashboards import calls as calls_dashboard
from porchlight.insights.filters import Filters
from porchlight.insights.tests.screen import tables
from porchlight.insights.tests.test_other_dashboards import outbox  # noqa: F401
from porchlight.notify.models import Channel, Contact, Outbox, Trigger
from standins.browser import client_login, make_superuser

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
    client_login(client, make_superuser())
    page = client.get("/console/insights/calls/rows/?since=2026-11-16&until=2026-11-22")
    assert page.status_code == 200
    html = page.content.decode()
    assert "2026-11-16 08:10 PST" in html and "16:10" not in html
    assert tables(html)


# Two agencies, three hours apart, across the night daylight time ended (Sunday 2026-11-01,
# 02:00 on each clock). N2 and L1 began at the same instant (06:30 UTC) on different local
# days. The filters (dates, weekday, hour) of the all-agency rows read each call on its own
# agency's clock, as the rollups behind the all-agency dashboard count it.
PACIFIC, EASTERN = ZoneInfo("America/Los_Angeles"), ZoneInfo("America/New_York")
NIGHT = [
    ("L1", PACIFIC, datetime(2026, 10, 31, 23, 30)),  # Sat, 06:30 UTC Sunday
    ("L2", PACIFIC, datetime(2026, 11, 1, 1, 30)),  # Sun 01:30 PDT (the first pass)
    ("L3", PACIFIC, datetime(2026, 11, 1, 1, 30, fold=1)),  # Sun 01:30 PST (the repeat)
    ("L4", PACIFIC, datetime(2026, 11, 1, 23, 30)),  # Sun, 07:30 UTC Monday
    ("N1", EASTERN, datetime(2026, 11, 1, 0, 30)),  # Sun 00:30 EDT
    ("N2", EASTERN, datetime(2026, 11, 1, 1, 30, fold=1)),  # Sun 01:30 EST = L1's instant
    ("N3", EASTERN, datetime(2026, 11, 2, 0, 30)),  # Mon 00:30 EST, Sun 21:30 in Pacific
]


@pytest.fixture
def two_clocks(agency):
    east = make_agency(
        slug="albany", name="Albany Police", ori="NY0010100", time_zone="America/New_York"
    )
    contact = {
        a.pk: Contact.objects.create(agency=a, channel=Channel.SMS, address_hash=f"{a.pk:064d}")
        for a in (agency, east)
    }
    for number, tz, wall in NIGHT:
        owner = agency if tz is PACIFIC else east
        began = wall.replace(tzinfo=tz)
        call = Call.objects.create(
            agency=owner, incident_number=number, status=Status.RECEIVED,
            first_event_at=began, last_event_at=began, received_at=began,
        )  # fmt: skip
        Outbox.objects.create(
            agency=owner, contact=contact[owner.pk], channel=Channel.SMS,
            trigger=Trigger.DELAYED, call=call, dedupe_key=f"n:{number}", created=began, due_at=began,
        )  # fmt: skip
    assert Call.objects.get(incident_number="N2").first_event_at == (
        Call.objects.get(incident_number="L1").first_event_at
    )
    for a in (agency, east):
        rollups.rebuild(a)
    return agency, east


def numbers(found):
    return sorted(r[0] for r in found.rows)


SUNDAY = Filters(since=date(2026, 11, 1), until=date(2026, 11, 1))
FORTNIGHT = Filters(since=date(2026, 10, 26), until=date(2026, 11, 8))


def test_all_agency_filters_read_each_call_on_its_agency_clock(two_clocks):
    # The local Sunday: not L1 (Saturday in Los Angeles) nor N3 (Monday in New York), though
    # L1 is Sunday in UTC and N3 is Sunday in Los Angeles.
    assert numbers(rows.call_rows(None, SUNDAY, {})) == ["L2", "L3", "L4", "N1", "N2"]
    # 01:00-01:59 local: both passes of the repeated hour in Los Angeles, the second in NY.
    assert numbers(rows.call_rows(None, SUNDAY, {"hour": "1"})) == ["L2", "L3", "N2"]
    # ISO weekday 7 = Sunday, 6 = Saturday, 1 = Monday: on each agency's clock.
    assert numbers(rows.call_rows(None, FORTNIGHT, {"dow": "7", "hour": "23"})) == ["L4"]
    assert numbers(rows.call_rows(None, FORTNIGHT, {"dow": "6"})) == ["L1"]
    assert numbers(rows.call_rows(None, FORTNIGHT, {"dow": "1", "hour": "0"})) == ["N3"]
    shown = {r[0]: r[1] for r in rows.call_rows(None, SUNDAY, {"hour": "1"}).rows}
    assert shown == {
        "L2": "2026-11-01 01:30 PDT", "L3": "2026-11-01 01:30 PST", "N2": "2026-11-01 01:30 EST",
    }  # fmt: skip


def test_an_agency_filter_reads_its_own_clock_only(two_clocks):
    pacific, east = two_clocks
    assert numbers(rows.call_rows(pacific, SUNDAY, {"hour": "1"})) == ["L2", "L3"]
    assert numbers(rows.call_rows(east, SUNDAY, {})) == ["N1", "N2"]
    assert numbers(rows.call_rows(east, FORTNIGHT, {"dow": "1"})) == ["N3"]


def test_every_cell_of_the_all_agency_grid_links_to_as_many_rows(two_clocks):
    volume = calls_dashboard.compute(None, FORTNIGHT).figure("volume")
    cells = 0
    for row, links in zip(volume.rows, volume.links, strict=True):
        for n, link in zip(row[1:], links[1:], strict=True):
            if link is None:
                continue
            query = QueryDict(link)
            assert len(rows.call_rows(None, Filters.from_query(query, None), query).rows) == int(n)
            cells += 1
    assert cells == 5  # L2, L3 and N2 share Sunday 01:00: one cell of 3


def test_the_all_agency_messages_are_dated_on_their_agency_clock(two_clocks):
    assert numbers(rows.message_rows(None, SUNDAY, {})) == sorted(
        str(pk) for pk in Outbox.objects.filter(
            call__incident_number__in=["L2", "L3", "L4", "N1", "N2"]
        ).values_list("pk", flat=True)
    )  # fmt: skip


def test_the_superuser_rows_page_filters_on_the_agency_clock(client, two_clocks):
    client_login(client, make_superuser())
    page = client.get("/console/insights/calls/rows/?since=2026-11-01&until=2026-11-01&hour=1")
    assert page.status_code == 200
    html = page.content.decode()
    for shown in ("01:30 PDT", "01:30 PST", "01:30 EST"):
        assert f"2026-11-01 {shown}" in html
    # The incident numbers are read from the table, not the whole page: its random CSRF
    # token can hold "L1" or "N1".
    numbers_shown = {row[0] for table in tables(html).values() for row in table["rows"]}
    assert numbers_shown == {"L2", "L3", "N2"}, numbers_shown
