"""Staff sign in through their agency's OpenID Connect provider (a real one, on a local port):
only existing staff, matched by verified email, and the second factor is still required."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.error import HTTPError

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.test import Client

from porchlight.agencies.models import Agency, Role, SingleSignOn, Staff
from porchlight.agencies.tests.conftest import make_user
from porchlight.agencies.tests.oidc_local import CLIENT_ID, CLIENT_SECRET, Provider
from porchlight.audit.models import AuditEntry
from standins.browser import totp_code
from standins.builders import make_agency


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@pytest.fixture
def idp() -> Iterator[Provider]:
    provider = Provider()
    yield provider
    provider.close()


@pytest.fixture
def sso(agency: Agency, idp: Provider) -> SingleSignOn:
    row = SingleSignOn(agency=agency, name="City SSO", issuer=idp.issuer, client_id=CLIENT_ID)
    row.set_secret(CLIENT_SECRET)
    row.save()
    return row


def through_provider(client: Client, sso: SingleSignOn, idp: Provider, claims: dict[str, Any]) -> Any:  # fmt: skip
    """Start at Porchlight, go to the provider (which answers for `claims`), come back."""
    idp.user = claims
    start = client.post(f"/accounts/oidc/{sso.provider_id}/login/?next=/console/")
    assert start.status_code == 302 and start["Location"].startswith(idp.issuer + "/authorize"), (
        start
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(start["Location"])
        raise AssertionError("the provider did not redirect")
    except HTTPError as answer:
        assert answer.code == 302
        back = answer.headers["Location"]
    return client.get(back.removeprefix("http://testserver"))


def claims(email: str, verified: bool = True, sub: str = "u-1") -> dict[str, Any]:
    return {"sub": sub, "email": email, "email_verified": verified, "name": "Ada"}


@pytest.mark.django_db
def test_staff_sign_in_with_sso_then_the_second_factor(agency: Agency, sso: SingleSignOn, idp: Provider) -> None:  # fmt: skip
    user, secret = make_user("ada", agency=agency, role=Role.SUPERVISOR)
    client = Client()
    response = through_provider(client, sso, idp, claims("ADA@example.org", sub="idp-42"))
    # The provider vouched for the person; the second factor is still asked.
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/console/").status_code == 302
    # The secret went to the provider from the encrypted column.
    assert idp.token_requests[-1]["client_secret"] == [CLIENT_SECRET]
    assert bytes(sso.client_secret_enc or b"").find(CLIENT_SECRET.encode()) == -1
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret or "")})
    assert response.status_code == 302 and response["Location"] == "/console/"
    assert client.get("/console/").status_code == 200
    assert SocialAccount.objects.get(user=user).uid == "idp-42"
    assert AuditEntry.objects.filter(action="sso.linked", actor_id=user.pk).count() == 1
    # Next time the link is used directly (same subject), and the code is asked again.
    again = Client()
    response = through_provider(again, sso, idp, claims("ada@example.org", sub="idp-42"))
    assert response["Location"] == "/accounts/2fa/authenticate/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who",
    ["unknown@example.org", "unverified", "other-agency", "inactive"],
)
def test_no_staff_account_no_sign_in_and_nothing_created(
    agency: Agency, sso: SingleSignOn, idp: Provider, who: str
) -> None:
    other = make_agency(slug="kern", name="Kern County Sheriff", ori="CA0150000")
    make_user("bo", agency=other, role=Role.ADMIN)
    ada, _ = make_user("ada", agency=agency)
    if who == "inactive":
        ada.is_active = False
        ada.save()
    email = {
        "unknown@example.org": "unknown@example.org",
        "unverified": "ada@example.org",
        "other-agency": "bo@example.org",
        "inactive": "ada@example.org",
    }[who]
    users, staff = get_user_model().objects.count(), Staff.objects.count()
    client = Client()
    response = through_provider(client, sso, idp, claims(email, verified=who != "unverified"))
    assert response.status_code == 403
    assert "not linked to a staff account" in response.content.decode()
    assert (get_user_model().objects.count(), Staff.objects.count()) == (users, staff)
    assert SocialAccount.objects.count() == 0
    assert client.get("/console/").status_code == 302
    assert AuditEntry.objects.filter(action="sso.refused", agency=agency).count() == 1


@pytest.mark.django_db
def test_the_secret_can_come_from_the_environment(agency: Agency, sso: SingleSignOn, idp: Provider, monkeypatch: Any) -> None:  # fmt: skip
    sso.set_secret("")
    sso.save()
    monkeypatch.setenv("PORCHLIGHT_OIDC_SECRET_BAKERSFIELD", CLIENT_SECRET)
    make_user("ada", agency=agency)
    response = through_provider(Client(), sso, idp, claims("ada@example.org"))
    assert response["Location"] == "/accounts/2fa/authenticate/"


@pytest.mark.django_db
def test_an_agency_admin_sets_it_up_in_the_admin(agency: Agency, idp: Provider) -> None:
    from porchlight.agencies.tests.test_permission_matrix import mfa_client

    admin_user, _ = make_user("boss", agency=agency, role=Role.ADMIN)
    client = mfa_client(admin_user)
    response = client.post(
        "/admin/agencies/singlesignon/add/",
        {"agency": agency.pk, "name": "City SSO", "issuer": idp.issuer, "client_id": CLIENT_ID,
         "client_secret": CLIENT_SECRET, "enabled": "on"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    row = SingleSignOn.objects.get(agency=agency)
    assert row.secret() == CLIENT_SECRET
    assert CLIENT_SECRET.encode() not in bytes(row.client_secret_enc or b"")
    entry = AuditEntry.objects.get(action="admin.add", target_type="agencies.singlesignon")
    assert CLIENT_SECRET not in str(entry.changes)
    # Saved again without a secret: the old one stays.
    client.post(
        f"/admin/agencies/singlesignon/{row.pk}/change/",
        {"agency": agency.pk, "name": "City", "issuer": idp.issuer, "client_id": CLIENT_ID, "enabled": "on"},
    )  # fmt: skip
    row.refresh_from_db()
    assert (row.name, row.secret()) == ("City", CLIENT_SECRET)
    # Supervisors do not open it.
    sup, _ = make_user("sup", agency=agency, role=Role.SUPERVISOR)
    assert mfa_client(sup).get("/admin/agencies/singlesignon/").status_code == 403
