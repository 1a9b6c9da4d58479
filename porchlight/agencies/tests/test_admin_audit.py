"""Every admin change is in the audit log: who, what, which fields, which agency, from where."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.test import Client

from porchlight.agencies.models import Agency, PriorityCode, Role
from porchlight.audit.models import AuditEntry
from standins.builders import make_key


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_add_change_delete_are_audited(agency: Agency, signed_in: Callable[..., Client]) -> None:
    client = signed_in("ada", Role.ADMIN)
    ada = get_user_model().objects.get(username="ada")
    client.post("/admin/agencies/prioritycode/add/", {"agency": agency.pk, "code": "5", "rank": 5})
    code = PriorityCode.objects.get(agency=agency, code="5")
    client.post(
        f"/admin/agencies/prioritycode/{code.pk}/change/",
        {"agency": agency.pk, "code": "5", "rank": 6},
    )
    client.post(f"/admin/agencies/prioritycode/{code.pk}/delete/", {"post": "yes"})
    assert not PriorityCode.objects.filter(pk=code.pk).exists()

    (added,) = entries("admin.add")
    (changed,) = entries("admin.change")
    (deleted,) = entries("admin.delete")
    assert added.changes == {"fields": ["code", "rank"]}
    assert changed.changes == {"fields": ["rank"]}
    for entry in (added, changed, deleted):
        assert entry.actor_id == ada.pk and entry.actor_label == "ada"
        assert entry.agency_id == agency.pk
        assert (entry.target_type, entry.target_id) == ("agencies.prioritycode", str(code.pk))
        assert entry.ip == "127.0.0.1"


def test_bulk_delete_action_audits_each_row(
    agency: Agency, signed_in: Callable[..., Client]
) -> None:
    client = signed_in("ada", Role.ADMIN)
    codes = list(PriorityCode.objects.filter(agency=agency, code__in=["3", "4"]))
    response = client.post(
        "/admin/agencies/prioritycode/",
        {"action": "delete_selected", "_selected_action": [c.pk for c in codes], "post": "yes"},
    )
    assert response.status_code == 302
    assert {e.target_id for e in entries("admin.delete")} == {str(c.pk) for c in codes}


def test_admin_action_is_audited(agency: Agency, signed_in: Callable[..., Client]) -> None:
    client = signed_in("ada", Role.ADMIN)
    key, _ = make_key(agency)
    client.post("/admin/agencies/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    (entry,) = entries("admin.action.revoke")
    assert (entry.target_type, entry.target_id, entry.agency_id) == (
        "agencies.apikey",
        str(key.pk),
        agency.pk,
    )


def test_password_change_by_admin_is_audited(
    agency: Agency, signed_in: Callable[..., Client]
) -> None:
    client = signed_in("ada", Role.ADMIN)
    signed_in("bea", Role.DETECTIVE)
    bea = get_user_model().objects.get(username="bea")
    response = client.post(
        f"/admin/auth/user/{bea.pk}/password/",
        {
            "password1": "a new long passphrase 7",
            "password2": "a new long passphrase 7",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    (entry,) = entries("admin.change")
    assert entry.target_id == str(bea.pk)
    assert entry.agency_id == agency.pk
    assert entry.changes == {"fields": ["password"]}  # the name, never the value


def test_superuser_change_is_filed_under_the_objects_agency(
    agency: Agency, other_agency: Agency, signed_in: Callable[..., Client]
) -> None:
    root = signed_in("root", superuser=True)
    code = PriorityCode.objects.get(agency=other_agency, code="2")
    root.post(
        f"/admin/agencies/prioritycode/{code.pk}/change/",
        {"agency": other_agency.pk, "code": "2", "rank": 3},
    )
    (entry,) = entries("admin.change")
    assert entry.agency_id == other_agency.pk
    assert entry.actor_label == "root"


def test_audit_entries_cannot_be_edited_in_the_admin(
    agency: Agency, signed_in: Callable[..., Client]
) -> None:
    client = signed_in("ada", Role.ADMIN)
    client.post("/admin/agencies/prioritycode/add/", {"agency": agency.pk, "code": "5", "rank": 5})
    entry = AuditEntry.objects.get(action="admin.add")
    root = signed_in("root", superuser=True)
    for who in (client, root):
        assert who.get(f"/admin/audit/auditentry/{entry.pk}/change/").status_code == 200
        assert who.get("/admin/audit/auditentry/add/").status_code == 403
        assert (
            who.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"action": "x"}).status_code
            == 403
        )
        assert (
            who.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code
            == 403
        )
    entry.refresh_from_db()
    assert entry.action == "admin.add"


def test_audit_log_is_for_admins_and_supervisors(
    agency: Agency, signed_in: Callable[..., Client]
) -> None:
    assert signed_in("sup", Role.SUPERVISOR).get("/admin/audit/auditentry/").status_code == 200
    assert signed_in("det", Role.DETECTIVE).get("/admin/audit/auditentry/").status_code == 403
