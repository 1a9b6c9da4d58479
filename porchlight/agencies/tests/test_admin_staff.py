"""An agency admin adds staff to their own agency; the first password is shown once."""

from __future__ import annotations

import re
from collections.abc import Callable

from allauth.account.models import EmailAddress
from django.test import Client

from porchlight.agencies.models import Agency, Role, Staff


def add_staff(client: Client, agency: Agency, username: str = "dana", **extra: object):
    data = {
        "username": username,
        "email": f"{username}@example.org",
        "agency": agency.pk,
        "role": Role.DETECTIVE,
    }
    return client.post("/admin/agencies/staff/add/", {**data, **extra})


def test_agency_admin_adds_a_staff_member(agency: Agency, signed_in: Callable[..., Client]) -> None:
    client = signed_in("ada", Role.ADMIN)
    response = add_staff(client, agency, phone="661-555-0199")
    assert response.status_code == 302, response.content[:800]
    staff = Staff.objects.get(user__username="dana")
    assert (staff.agency, staff.role, staff.phone) == (agency, Role.DETECTIVE, "661-555-0199")
    assert staff.user.is_staff and not staff.user.is_superuser
    assert EmailAddress.objects.get(user=staff.user).verified

    page = client.get(response["Location"])
    password = (
        re.search(rb'id="shown-once-secret"[^>]*value="([^"]+)"', page.content).group(1).decode()
    )
    assert client.get(response["Location"]).status_code == 410

    # The new member signs in with it, and is sent to set up an authenticator first.
    dana = Client()
    login = dana.post("/accounts/login/", {"login": "dana", "password": password})
    assert login.status_code == 302
    assert dana.get("/admin/")["Location"] == "/accounts/2fa/totp/activate/?next=/admin/"


def test_staff_cannot_be_added_to_another_agency(
    agency: Agency, other_agency: Agency, signed_in: Callable[..., Client]
) -> None:
    client = signed_in("ada", Role.ADMIN)
    response = add_staff(client, other_agency)
    assert response.status_code == 200
    assert "agency" in response.context["adminform"].form.errors
    assert not Staff.objects.filter(user__username="dana").exists()


def test_taken_username_or_email_is_a_form_error(
    agency: Agency, signed_in: Callable[..., Client]
) -> None:
    client = signed_in("ada", Role.ADMIN)
    response = add_staff(client, agency, username="ADA")
    assert "username" in response.context["adminform"].form.errors
    response = add_staff(client, agency, email="ada@example.org")
    assert "email" in response.context["adminform"].form.errors


def test_only_agency_admins_add_staff(agency: Agency, signed_in: Callable[..., Client]) -> None:
    client = signed_in("sup", Role.SUPERVISOR)
    assert add_staff(client, agency).status_code == 403
    assert not Staff.objects.filter(user__username="dana").exists()


def test_agency_admin_changes_a_role(agency: Agency, signed_in: Callable[..., Client]) -> None:
    client = signed_in("ada", Role.ADMIN)
    signed_in("bea", Role.READ_ONLY)
    bea = Staff.objects.get(user__username="bea")
    response = client.post(
        f"/admin/agencies/staff/{bea.pk}/change/",
        {"agency": agency.pk, "role": Role.RECORDS, "phone": ""},
    )
    assert response.status_code == 302
    bea.refresh_from_db()
    assert bea.role == Role.RECORDS
