"""The Django admin signs in through allauth (and so through its MFA and rate limits)."""

from __future__ import annotations

from django.test import Client


def test_admin_login_redirects_to_allauth(db: None) -> None:
    response = Client().get("/admin/login/?next=/admin/agencies/apikey/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fagencies%2Fapikey%2F"


def test_admin_index_for_anonymous_ends_on_allauth_login(db: None) -> None:
    response = Client().get("/admin/", follow=True)
    assert response.request["PATH_INFO"] == "/accounts/login/"
    assert b'name="csrfmiddlewaretoken"' in response.content
