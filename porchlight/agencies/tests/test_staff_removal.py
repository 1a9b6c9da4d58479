"""Removing someone from an agency closes their account, in the same transaction, audited."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.test import Client

from porchlight.agencies.models import Agency, Role, Staff
from porchlight.agencies.tests.conftest import PASSWORD, make_user
from porchlight.audit.models import AuditEntry

User = get_user_model()


def closed(username: str) -> bool:
    user = User.objects.get(username=username)
    return not user.is_active and not user.is_staff


def cannot_sign_in(username: str) -> bool:
    response = Client().post("/accounts/login/", {"login": username, "password": PASSWORD})
    return response.status_code != 302 or "/2fa/" not in response["Location"]


def test_deleting_in_the_admin_closes_the_account(
    agency: Agency, signed_in: Callable[..., Client]
) -> None:
    admin = signed_in("ada", Role.ADMIN)
    dana, _ = make_user("dana", agency=agency, role=Role.DETECTIVE)
    response = admin.post(f"/admin/agencies/staff/{dana.staff.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302, response.content[:500]
    assert not Staff.objects.filter(user=dana).exists()
    assert closed("dana")
    assert cannot_sign_in("dana")
    entry = AuditEntry.objects.get(action="staff.account_closed")
    assert (entry.agency_id, entry.actor.username) == (agency.pk, "ada")
    assert entry.changes == {"user": dana.pk, "is_active": False, "is_staff": False}
    assert AuditEntry.objects.filter(action="admin.delete", target_type="agencies.staff").exists()


def test_deleting_several_in_the_admin_closes_each_account(
    agency: Agency, signed_in: Callable[..., Client]
) -> None:
    admin = signed_in("ada", Role.ADMIN)
    members = [make_user(name, agency=agency, role=Role.RECORDS)[0] for name in ("dana", "eli")]
    response = admin.post(
        "/admin/agencies/staff/",
        {
            "action": "delete_selected",
            "_selected_action": [m.staff.pk for m in members],
            "post": "yes",
        },
    )
    assert response.status_code == 302, response.content[:500]
    assert closed("dana") and closed("eli")
    assert User.objects.get(username="ada").is_active
    assert AuditEntry.objects.filter(action="staff.account_closed").count() == 2


def test_deleting_through_the_orm_closes_the_account(agency: Agency) -> None:
    dana, _ = make_user("dana", agency=agency)
    eli, _ = make_user("eli", agency=agency)
    fay, _ = make_user("fay", agency=agency)
    dana.staff.delete()
    Staff.objects.filter(user__username="eli").delete()
    assert closed("dana") and closed("eli")
    assert User.objects.get(pk=fay.pk).is_active and User.objects.get(pk=fay.pk).is_staff
    assert cannot_sign_in("dana") and cannot_sign_in("eli")
