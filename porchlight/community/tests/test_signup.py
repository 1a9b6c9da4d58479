"""Resident signup through allauth, and the wall between residents and staff."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from porchlight.community.models import Resident
from porchlight.community.tests.factories import make_resident

JOIN = "/n/bakersfield/join/"
FORM = {
    "email": "ana@example.org",
    "password1": "lantern-Porch-93",
    "password2": "lantern-Porch-93",
}


@pytest.mark.django_db
def test_joining_makes_a_resident_who_confirms_their_email_then_reaches_the_feed(
    client: Any, agency: Any
) -> None:
    r = client.post(JOIN, FORM)
    assert r.status_code == 302, r.content[:500]
    resident = Resident.objects.get(user__email="ana@example.org")
    assert resident.agency == agency and resident.display_name == "Neighbor"
    # Mandatory verification: no feed until the link in the email is followed.
    assert client.get("/n/bakersfield/feed/").status_code == 302
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body)
    assert link, message.body
    r = client.post(link.group(0).split("testserver", 1)[1])
    assert r.status_code == 302
    r = client.post(
        "/n/bakersfield/signin/", {"login": FORM["email"], "password": FORM["password1"]}
    )
    assert r.status_code == 302 and r["Location"] == "/n/bakersfield/feed/"
    assert client.get("/n/bakersfield/feed/").status_code == 200


@pytest.mark.django_db
def test_a_resident_account_is_never_staff_even_if_the_form_says_so(
    client: Any, agency: Any
) -> None:
    client.post(JOIN, {**FORM, "is_staff": "on", "is_superuser": "on"})
    user = get_user_model().objects.get(email="ana@example.org")
    assert not user.is_staff and not user.is_superuser and not hasattr(user, "staff")


@pytest.mark.django_db
def test_a_resident_cannot_open_the_console(client: Any, agency: Any) -> None:
    resident = make_resident(agency, "ana@example.org")
    client.force_login(resident.user)
    assert client.get("/console/").status_code == 403
    assert client.get("/console/community/").status_code == 403


@pytest.mark.django_db
def test_signup_stays_closed_outside_a_join_page(client: Any, agency: Any) -> None:
    r = client.post("/accounts/signup/", FORM)
    assert not get_user_model().objects.filter(email="ana@example.org").exists()
    assert b"closed" in r.content.lower() or r.status_code in (403, 404)


@pytest.mark.django_db
def test_an_unknown_agency_has_no_join_page(client: Any, agency: Any) -> None:
    assert client.post("/n/nowhere/join/", FORM).status_code == 404
    assert not get_user_model().objects.filter(email="ana@example.org").exists()


@pytest.mark.django_db
def test_a_staff_email_cannot_be_reused_to_join(client: Any, agency: Any) -> None:
    from standins.browser import make_staff

    make_staff(agency, role="community", username="cr", email="ana@example.org")
    # allauth answers as if it worked (no account enumeration) and emails the owner instead.
    client.post(JOIN, FORM)
    assert not Resident.objects.exists()
    assert get_user_model().objects.filter(email__iexact="ana@example.org").count() == 1
