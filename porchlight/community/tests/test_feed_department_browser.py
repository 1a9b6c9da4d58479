"""A resident on a phone or a desktop, in English and Spanish, opens the feed signed out: the
community's sign-in (not the staff one) brings them back to it, where the department's live
alert is on top and one tap opens it; ages read as ages. axe and a screenshot on each screen."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from porchlight.alerts import publish
from porchlight.alerts.models import Severity
from porchlight.community.models import Post
from porchlight.community.tests.factories import make_place, make_post, make_resident
from standins.browser import DESKTOP, PHONE, RESIDENT_PASSWORD, look, switch_language

LAT, LON = 35.3733, -119.0187
AGO = {"en": "3 hours ago", "es": "hace 3 horas"}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], indirect=True, ids=["phone", "desktop"])
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_a_signed_out_resident_reaches_the_feed_and_the_departments_alert(
    page: Any, live_server: Any, agency: Any, viewport: Any, lang: str
) -> None:
    resident = make_resident(agency, "ana@example.org")
    make_place(resident, LAT, LON)
    post = make_post(resident, LAT, LON, title="Streetlight out at Chester and 19th")
    Post.objects.filter(pk=post.pk).update(created=timezone.now() - timedelta(hours=3))
    urgent = publish.publish(
        agency, publish.radius_area(LAT, LON, 1.0, "Around the 1900 block of Chester Ave"),
        title="Police activity: avoid the area", body="Stay indoors.", severity=Severity.URGENT,
    )  # fmt: skip

    page.goto(f"{live_server.url}/n/bakersfield/feed/")
    page.wait_for_url(re.compile(r"/n/bakersfield/signin/\?next="))
    switch_language(page, lang)
    assert "authenticator" not in page.locator("main").inner_text()
    look(page, f"feed-signin-{lang}-{viewport['width']}")
    page.fill("input[name=login]", "ana@example.org")
    page.fill("input[name=password]", RESIDENT_PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    page.wait_for_url(re.compile(r"/n/bakersfield/feed/$"))

    department = page.locator("section.department")
    assert department.locator("a", has_text=urgent.title).is_visible()
    assert AGO[lang] in page.locator("ol.posts").inner_text().replace("\xa0", " ")
    look(page, f"feed-department-{lang}-{viewport['width']}")
    with page.expect_navigation():
        department.locator("a", has_text=urgent.title).click()
    assert page.url.endswith(f"/alerts/a/{urgent.share_token}/")
    assert page.get_attribute("html", "lang") == lang
