"""Staff cannot remove their own authenticator: required MFA would be one click from optional."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.test import Client

from porchlight.agencies.models import Agency
from porchlight.agencies.tests.conftest import make_user, sign_in


def test_staff_cannot_deactivate_totp(agency: Agency) -> None:
    user, secret = make_user("ada", agency=agency)
    client = Client()
    sign_in(client, "ada", secret)
    for method in (client.get, client.post):
        response = method("/accounts/2fa/totp/deactivate/", follow=True)
        assert response.redirect_chain[0] == ("/accounts/2fa/", 302)
        assert b"must keep their authenticator app" in response.content
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_non_staff_user_still_reaches_allauths_page(db: None) -> None:
    # The block is for staff only; a resident who chose TOTP may turn it off again.
    user, secret = make_user("resident", totp=True)
    get_user_model().objects.filter(pk=user.pk).update(is_staff=False)
    client = Client()
    sign_in(client, "resident", secret)
    response = client.get("/accounts/2fa/totp/deactivate/")
    # allauth's own view answers: it asks to confirm the password first.
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
