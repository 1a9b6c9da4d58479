"""Every community page says it is not 911 and not monitored 24/7, shows the non-emergency
number, and links the online report form only when that feature is installed."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse

from porchlight.community.tests.factories import make_place, make_post, make_resident
from porchlight.community.views.common import report_form_url

LAT, LON = 35.3733, -119.0187


def reports_installed() -> bool:
    try:
        reverse("report_choose", args=["bakersfield"])
    except NoReverseMatch:
        return False
    return True


@pytest.mark.django_db
def test_every_page_has_the_disclaimers(client: Any, agency: Any) -> None:
    public = [
        "/n/bakersfield/",
        "/n/bakersfield/join/",
        "/n/bakersfield/signin/",
        "/n/bakersfield/rules/",
    ]
    pages = [client.get(url) for url in public]
    me = make_resident(agency, "me@example.org")
    make_place(me, LAT, LON)
    post = make_post(me, LAT, LON)
    client.force_login(me.user)
    for url in [
        "/n/bakersfield/feed/",
        "/n/bakersfield/places/new/",
        "/n/bakersfield/posts/new/",
        f"/n/bakersfield/posts/{post.pk}/",
        f"/n/bakersfield/posts/{post.pk}/edit/",
        f"/n/bakersfield/posts/{post.pk}/delete/",
        "/n/bakersfield/account/",
        "/n/bakersfield/account/delete/",
    ]:
        pages.append(client.get(url))
    for r in pages:
        assert r.status_code == 200, r
        html = r.content.decode()
        assert "Not 911" in html and "not monitored 24/7" in html, r.request["PATH_INFO"]
        assert "tel:+16613277111" in html and "661-327-7111" in html
        if reports_installed():
            assert report_form_url(agency) in html
        else:
            assert "Report a crime online" not in html


@pytest.mark.django_db
def test_the_disclaimers_are_in_spanish_too(client: Any, agency: Any) -> None:
    r = client.get("/n/bakersfield/rules/", HTTP_ACCEPT_LANGUAGE="es")
    assert "No es el 911" in r.content.decode()
