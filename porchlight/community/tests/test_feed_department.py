"""The resident's feed shows what the department is saying now (its live alerts and posts,
urgent first) with a way to all of them: before, the feed held neighbors' posts only, and the
"Alerts" link led to settings, so a resident could not find an alert from the feed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from porchlight.alerts import publish
from porchlight.alerts.models import Alert, Kind, Severity
from porchlight.community.tests.factories import make_place, make_resident

LAT, LON = 35.3733, -119.0187


def _publish(agency: Any, title: str, **fields: Any) -> Alert:
    area = publish.radius_area(LAT, LON, 1.0, "Around Truxtun Ave")
    return publish.publish(agency, area, title=title, body="Details.", **fields)


@pytest.mark.django_db
def test_the_feed_lists_live_alerts_urgent_first_and_links_to_all(client: Any, agency: Any) -> None:
    resident = make_resident(agency, "ana@example.org")
    make_place(resident, LAT, LON)
    coffee = _publish(agency, "Coffee with a Cop", kind=Kind.POST, severity=Severity.INFO)
    urgent = _publish(agency, "Police activity: avoid the area", severity=Severity.URGENT)
    gone = _publish(agency, "Old road closure")
    Alert.objects.filter(pk=gone.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(resident.user)

    page = client.get("/n/bakersfield/feed/").content.decode()
    assert "From the department" in page
    assert f'href="/alerts/a/{urgent.share_token}/"' in page
    assert f'href="/alerts/a/{coffee.share_token}/"' in page
    assert page.index(urgent.title) < page.index(coffee.title)
    assert "Old road closure" not in page
    assert 'href="/alerts/bakersfield/"' in page


@pytest.mark.django_db
def test_a_quiet_feed_says_there_is_no_alert_now(client: Any, agency: Any) -> None:
    resident = make_resident(agency, "ana@example.org")
    client.force_login(resident.user)
    page = client.get("/n/bakersfield/feed/").content.decode()
    assert "No alerts from the department right now." in page
    assert 'href="/alerts/bakersfield/"' in page
