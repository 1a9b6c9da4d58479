"""A signed-out resident who opens a resident page (the link in an email, the feed after
confirming their address) is sent to the community's own sign-in, not the staff one, and comes
back to the page they asked for."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from porchlight.community.tests.factories import make_resident
from standins.browser import RESIDENT_PASSWORD

FORM = {
    "email": "ana@example.org",
    "password1": "lantern-Porch-93",
    "password2": "lantern-Porch-93",
}


@pytest.mark.django_db
def test_a_signed_out_resident_page_goes_to_the_community_sign_in(client: Any, agency: Any) -> None:
    r = client.get("/n/bakersfield/posts/new/")
    assert r.status_code == 302
    assert r["Location"] == "/n/bakersfield/signin/?next=/n/bakersfield/posts/new/"
    page = client.get(r["Location"])
    assert b"authenticator" not in page.content  # the staff wording is not shown
    assert b'name="next" value="/n/bakersfield/posts/new/"' in page.content

    make_resident(agency, "ana@example.org")
    r = client.post(
        r["Location"],
        {"login": "ana@example.org", "password": RESIDENT_PASSWORD,
         "next": "/n/bakersfield/posts/new/"},
    )  # fmt: skip
    assert r.status_code == 302 and r["Location"] == "/n/bakersfield/posts/new/"


@pytest.mark.django_db
def test_confirming_the_email_leads_to_the_community_sign_in(client: Any, agency: Any) -> None:
    client.post("/n/bakersfield/join/", FORM)
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body)
    assert link, message.body
    r = client.post(link.group(0).split("testserver", 1)[1], follow=True)
    assert r.redirect_chain[-1][0] == "/n/bakersfield/signin/?next=/n/bakersfield/feed/"
    assert "Bakersfield" in r.content.decode() and b"authenticator" not in r.content


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/me/alerts/", "/me/watch/"])
def test_the_residents_settings_go_to_the_community_sign_in_and_back(
    client: Any, agency: Any, path: str
) -> None:
    """/me/… pages have no agency in their address: with one agency, its sign-in."""
    r = client.get(path)
    assert r.status_code == 302
    assert r["Location"] == f"/n/bakersfield/signin/?next={path}"
    make_resident(agency, "ana@example.org")
    r = client.post(
        r["Location"], {"login": "ana@example.org", "password": RESIDENT_PASSWORD, "next": path}
    )
    assert r.status_code == 302 and r["Location"] == path
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_with_several_agencies_the_resident_chooses_theirs_first(client: Any, agency: Any) -> None:
    from standins.builders import make_agency

    make_agency(slug="kern", name="Kern County Sheriff", ori="CA0150000")
    r = client.get("/me/alerts/")
    assert r.status_code == 302 and r["Location"] == "/n/"
    assert b"authenticator" not in client.get("/n/").content
