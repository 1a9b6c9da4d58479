"""The auth pages Django and allauth add to the admin: scoped, hidden, and never the TOTP secret."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.test import Client

from porchlight.agencies.models import Agency, Role


def test_authenticators_are_hidden_from_staff(
    agency: Agency, signed_in: Callable[..., Client]
) -> None:
    client = signed_in("ada", Role.ADMIN)
    assert client.get("/admin/mfa/authenticator/").status_code == 403
    ada = Authenticator.objects.get(user__username="ada")
    assert client.get(f"/admin/mfa/authenticator/{ada.pk}/change/").status_code == 403
    assert b"/admin/mfa/" not in client.get("/admin/").content


def test_superuser_sees_authenticators_but_never_the_secret(
    agency: Agency, signed_in: Callable[..., Client]
) -> None:
    signed_in("ada", Role.ADMIN)
    root = signed_in("root", superuser=True)
    ada = Authenticator.objects.get(user__username="ada")
    stored = ada.data["secret"]  # as allauth stores it (encrypted with the adapter)
    for url in ("/admin/mfa/authenticator/", f"/admin/mfa/authenticator/{ada.pk}/change/"):
        response = root.get(url)
        assert response.status_code == 200
        assert stored.encode() not in response.content
        assert b'"secret"' not in response.content
    # A lost phone is reset by deleting the authenticator; the owner enrols again.
    assert (
        root.post(f"/admin/mfa/authenticator/{ada.pk}/delete/", {"post": "yes"}).status_code == 302
    )
    assert not Authenticator.objects.filter(pk=ada.pk).exists()


def test_groups_are_not_in_the_admin(agency: Agency, signed_in: Callable[..., Client]) -> None:
    root = signed_in("root", superuser=True)
    assert root.get("/admin/auth/group/").status_code == 404


def test_agency_admin_cannot_raise_a_user(agency: Agency, signed_in: Callable[..., Client]) -> None:
    client = signed_in("ada", Role.ADMIN)
    ada = get_user_model().objects.get(username="ada")
    form = client.get(f"/admin/auth/user/{ada.pk}/change/").context["adminform"].form
    assert not {"is_superuser", "is_staff", "groups", "user_permissions"} & set(form.fields)
    client.post(
        f"/admin/auth/user/{ada.pk}/change/",
        {
            "first_name": "Ada",
            "last_name": "L",
            "email": "ada@example.org",
            "is_active": "on",
            "is_superuser": "on",
        },
    )
    ada.refresh_from_db()
    assert ada.first_name == "Ada"
    assert not ada.is_superuser
    assert client.get("/admin/auth/user/add/").status_code == 403


def test_superusers_are_not_in_an_agency_admins_user_list(
    agency: Agency, signed_in: Callable[..., Client]
) -> None:
    signed_in("root", superuser=True)
    client = signed_in("ada", Role.ADMIN)
    root = get_user_model().objects.get(username="root")
    assert [u.username for u in client.get("/admin/auth/user/").context["cl"].queryset] == ["ada"]
    assert client.get(f"/admin/auth/user/{root.pk}/password/").status_code == 404
