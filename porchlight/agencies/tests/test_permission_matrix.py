"""The permission matrix, role × URL: every console URL (walked from the resolver) and every
admin page answers each role as agencies/permissions.py's MATRIX says.

A console view that names no capability fails here, so a new page cannot slip past the matrix.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django.contrib import admin
from django.test import Client

from porchlight.agencies.admin_scope import AgencyScopedAdmin
from porchlight.agencies.models import Agency, Role
from porchlight.agencies.permissions import MATRIX, Cap, capability_of, markdown_table, role_can
from porchlight.agencies.tests.conftest import make_user
from porchlight.agencies.tests.urls_walk import StaffUrl, console_urls

URLS = console_urls()
MISSING = 987654321  # an id no row has


def mfa_client(user: Any) -> Client:
    """A client signed in as `user` whose session records the second factor, as allauth's own
    code step does (test_staff_mfa.py signs in through the real pages)."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "username": user.get_username()},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client


def clients_by_role(agency: Agency) -> dict[str, Client]:
    out = {}
    for role in Role:
        user, _ = make_user(f"u-{role.value}", agency=agency, role=role.value)
        out[role.value] = mfa_client(user)
    return out


def test_the_walk_finds_the_console() -> None:
    routes = {u.route for u in URLS}
    assert "console/" in routes and "console/cases/<int:pk>/" in routes
    assert len(URLS) > 30


@pytest.mark.parametrize("url", URLS, ids=str)
def test_every_console_url_names_a_capability(url: StaffUrl) -> None:
    assert capability_of(url.callback) is not None, (
        f"{url.route} ({url.name}) is not decorated with permissions.requires()"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("url", URLS, ids=str)
def test_role_by_url(url: StaffUrl, agency: Agency) -> None:
    get_cap, post_cap = capability_of(url.callback)  # type: ignore[misc]
    path = url.path(MISSING)
    wrong = []
    for role, client in clients_by_role(agency).items():
        response = client.get(path)
        method, need = "GET", {get_cap}
        if response.status_code == 405:
            response = client.post(path, {})
            method, need = "POST", {get_cap, post_cap}
        allowed = all(role_can(role, cap) for cap in need)
        if allowed and response.status_code == 403:
            wrong.append(f"{role} {method}: 403, the matrix allows {sorted(need)}")
        if not allowed and response.status_code != 403:
            wrong.append(f"{role} {method}: {response.status_code}, the matrix refuses")
    assert not wrong, f"{path}:\n" + "\n".join(wrong)


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(agency: Agency) -> None:
    for url in URLS:
        response = Client().get(url.path(MISSING))
        assert response.status_code in (302, 405), url
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), url


@pytest.mark.django_db
def test_staff_without_a_role_row_is_refused(agency: Agency) -> None:
    """A user marked is_staff but belonging to no agency (and no superuser) gets nothing."""
    user, _ = make_user("drifter", agency=None)
    client = mfa_client(user)
    for url in URLS:
        response = client.get(url.path(MISSING))
        if response.status_code == 405:
            response = client.post(url.path(MISSING), {})
        assert response.status_code == 403, url


ADMIN_PAGES = sorted(
    (f"/admin/{model._meta.app_label}/{model._meta.model_name}/", model_admin)
    for model, model_admin in admin.site._registry.items()
)


@pytest.mark.django_db
@pytest.mark.parametrize("page,model_admin", ADMIN_PAGES, ids=[p for p, _ in ADMIN_PAGES])
def test_role_by_admin_page(page: str, model_admin: Any, agency: Agency) -> None:
    roles = model_admin.view_roles if isinstance(model_admin, AgencyScopedAdmin) else frozenset()
    wrong = []
    for role, client in clients_by_role(agency).items():
        status = client.get(page).status_code
        if role in roles and status != 200:
            wrong.append(f"{role}: {status}, should see the page")
        if role not in roles and status != 403:
            wrong.append(f"{role}: {status}, should be refused")
    assert not wrong, f"{page}:\n" + "\n".join(wrong)


def test_docs_carry_the_generated_table() -> None:
    docs = (Path(__file__).resolve().parents[3] / "docs" / "admins.md").read_text()
    assert markdown_table() in docs, "regenerate the table: see docs/admins.md, Who may do what"


def test_every_capability_has_a_row() -> None:
    assert set(MATRIX) == set(Cap)
    # The two ends of the matrix: admins hold everything, read-only staff change nothing.
    assert all(role_can(Role.ADMIN, cap) for cap in Cap)
    assert [cap for cap in Cap if role_can(Role.READ_ONLY, cap)] == [Cap.CONSOLE, Cap.INSIGHTS]
