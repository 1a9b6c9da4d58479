"""Every admin page shows and edits one agency's rows; only platform superusers see them all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.test import Client

from porchlight.agencies.models import Agency, ApiKey, PriorityCode, Role, Staff
from porchlight.audit.log import record
from porchlight.calls.models import Call, CallType, Quarantine
from porchlight.notify import pii
from porchlight.notify.models import Contact
from standins.builders import make_key


def staff_agency(user: object) -> int | None:
    staff = getattr(user, "staff", None)
    return staff.agency_id if staff is not None else None


# Changelists whose rows belong to an agency, and how to read a row's agency.
SCOPED_PAGES = {
    "/admin/agencies/agency/": lambda obj: obj.pk,
    "/admin/agencies/prioritycode/": lambda obj: obj.agency_id,
    "/admin/agencies/statuscode/": lambda obj: obj.agency_id,
    "/admin/agencies/apikey/": lambda obj: obj.agency_id,
    "/admin/agencies/staff/": lambda obj: obj.agency_id,
    "/admin/calls/calltype/": lambda obj: obj.agency_id,
    "/admin/calls/call/": lambda obj: obj.agency_id,
    "/admin/calls/quarantine/": lambda obj: obj.agency_id,
    "/admin/notify/contact/": lambda obj: obj.agency_id,
    "/admin/audit/auditentry/": lambda obj: obj.agency_id,
    "/admin/auth/user/": lambda obj: staff_agency(obj),
    "/admin/account/emailaddress/": lambda obj: staff_agency(obj.user),
}


def populate(agency: Agency) -> None:
    """One of everything for an agency (codes and call types come with make_agency)."""
    at = datetime(2026, 11, 22, 22, 14, tzinfo=UTC)
    agency.status_codes.create(code="DISP", status="dispatched")
    make_key(agency)
    phone = Contact.objects.create(
        agency=agency,
        channel="sms",
        address_hash=pii.lookup_hash("+16615550100"),
        address_enc=pii.encrypt("+16615550100"),
    )
    Call.objects.create(
        agency=agency,
        incident_number=f"{agency.slug}-1",
        first_event_at=at,
        last_event_at=at,
        caller_phone=phone,
    )
    Quarantine.objects.create(
        agency=agency, source="cad", reason="unknown status", raw_enc=pii.encrypt("{}")
    )
    record("test.seed", actor_label="pytest", agency=agency)


@pytest.fixture
def two_agencies(agency: Agency, other_agency: Agency) -> tuple[Agency, Agency]:
    populate(agency)
    populate(other_agency)
    return agency, other_agency


def rows(client: Client, url: str) -> list[object]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return list(response.context["cl"].queryset)


def test_agency_admin_sees_only_their_agency(
    two_agencies, signed_in: Callable[..., Client]
) -> None:
    mine, theirs = two_agencies
    client = signed_in("ada", Role.ADMIN)
    signed_in("bob", Role.ADMIN, of=theirs)  # so the other agency has staff and users too
    for url, agency_of in SCOPED_PAGES.items():
        found = rows(client, url)
        assert found, f"{url} shows nothing"
        assert {agency_of(obj) for obj in found} == {mine.pk}, url


def test_superuser_sees_every_agency(two_agencies, signed_in: Callable[..., Client]) -> None:
    mine, theirs = two_agencies
    signed_in("ada", Role.ADMIN)
    signed_in("bob", Role.ADMIN, of=theirs)
    root = signed_in("root", superuser=True)
    for url, agency_of in SCOPED_PAGES.items():
        assert {agency_of(obj) for obj in rows(root, url)} >= {mine.pk, theirs.pk}, url


def test_another_agencys_object_cannot_be_opened(
    two_agencies, signed_in: Callable[..., Client]
) -> None:
    _, theirs = two_agencies
    client = signed_in("ada", Role.ADMIN)
    code = PriorityCode.objects.get(agency=theirs, code="1")
    for url in (
        f"/admin/agencies/prioritycode/{code.pk}/change/",
        f"/admin/agencies/agency/{theirs.pk}/change/",
        f"/admin/agencies/apikey/{ApiKey.objects.get(agency=theirs).pk}/change/",
    ):
        response = client.get(url)
        # Django's admin answers "doesn't exist" with a redirect to the index.
        assert response.status_code == 302 and response["Location"] == "/admin/", url
    response = client.post(
        f"/admin/agencies/prioritycode/{code.pk}/change/", {"code": "1", "rank": 9}
    )
    assert response.status_code == 302
    code.refresh_from_db()
    assert code.rank == 1


def test_agency_is_set_and_hidden_for_staff(two_agencies, signed_in: Callable[..., Client]) -> None:
    mine, theirs = two_agencies
    client = signed_in("ada", Role.ADMIN)
    page = client.get("/admin/agencies/prioritycode/add/")
    field = page.context["adminform"].form.fields["agency"]
    assert field.widget.is_hidden
    assert list(field.queryset) == [mine]
    response = client.post(
        "/admin/agencies/prioritycode/add/",
        {"agency": mine.pk, "code": "5", "rank": 5, "label": "Low"},
    )
    assert response.status_code == 302
    assert PriorityCode.objects.get(code="5").agency == mine


def test_posting_another_agency_is_rejected(two_agencies, signed_in: Callable[..., Client]) -> None:
    _, theirs = two_agencies
    client = signed_in("ada", Role.ADMIN)
    response = client.post(
        "/admin/agencies/prioritycode/add/", {"agency": theirs.pk, "code": "5", "rank": 5}
    )
    assert response.status_code == 200
    assert "agency" in response.context["adminform"].form.errors
    assert not PriorityCode.objects.filter(code="5").exists()


def test_duplicate_code_is_a_form_error_not_a_500(
    two_agencies, signed_in: Callable[..., Client]
) -> None:
    mine, _ = two_agencies
    client = signed_in("ada", Role.ADMIN)
    response = client.post(
        "/admin/calls/calltype/add/", {"agency": mine.pk, "code": "415", "description": "dup"}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert CallType.objects.filter(agency=mine, code="415").count() == 1


def test_foreign_key_choices_are_scoped(two_agencies, signed_in: Callable[..., Client]) -> None:
    mine, theirs = two_agencies
    signed_in("bob", Role.ADMIN, of=theirs)
    client = signed_in("ada", Role.ADMIN)
    form = client.get("/admin/account/emailaddress/add/").context["adminform"].form
    assert {u.username for u in form.fields["user"].queryset} == {"ada"}


@pytest.mark.parametrize(
    "role", [Role.SUPERVISOR, Role.DETECTIVE, Role.COMMUNITY, Role.RECORDS, Role.READ_ONLY]
)
def test_other_roles_only_view(two_agencies, signed_in: Callable[..., Client], role: str) -> None:
    mine, _ = two_agencies
    client = signed_in("viewer", role)
    code = PriorityCode.objects.get(agency=mine, code="1")
    assert client.get("/admin/agencies/prioritycode/").status_code == 200
    view = client.get(f"/admin/agencies/prioritycode/{code.pk}/change/")
    assert view.status_code == 200
    assert b'name="_save"' not in view.content  # read-only page, no Save button
    assert client.get("/admin/agencies/prioritycode/add/").status_code == 403
    assert (
        client.post(f"/admin/agencies/prioritycode/{code.pk}/change/", {"rank": 9}).status_code
        == 403
    )
    assert (
        client.post(f"/admin/agencies/prioritycode/{code.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    code.refresh_from_db()
    assert code.rank == 1


def test_staff_cannot_create_or_delete_agencies(
    two_agencies, signed_in: Callable[..., Client]
) -> None:
    mine, _ = two_agencies
    client = signed_in("ada", Role.ADMIN)
    assert client.get("/admin/agencies/agency/add/").status_code == 403
    assert (
        client.post(f"/admin/agencies/agency/{mine.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    # Their own agency's settings they may change, but not the slug or ORI.
    form = client.get(f"/admin/agencies/agency/{mine.pk}/change/").context["adminform"].form
    assert "slug" not in form.fields and "ori" not in form.fields
    assert "non_emergency_number" in form.fields


def test_is_staff_user_without_an_agency_sees_nothing(
    two_agencies, signed_in: Callable[..., Client]
) -> None:
    from porchlight.agencies.tests.conftest import make_user, sign_in

    _, secret = make_user("drifter")  # is_staff, TOTP, but no Staff row and not a superuser
    client = Client()
    sign_in(client, "drifter", secret)
    index = client.get("/admin/")
    assert index.status_code == 200
    assert index.context["app_list"] == []
    assert client.get("/admin/agencies/prioritycode/").status_code == 403


def test_read_only_records_have_no_add_change_or_delete(
    two_agencies, signed_in: Callable[..., Client]
) -> None:
    mine, _ = two_agencies
    root = signed_in("root", superuser=True)
    call = Call.objects.filter(agency=mine).first()
    assert root.get("/admin/calls/call/add/").status_code == 403
    assert (
        root.post(f"/admin/calls/call/{call.pk}/change/", {"status": "cleared"}).status_code == 403
    )
    assert root.post(f"/admin/calls/call/{call.pk}/delete/", {"post": "yes"}).status_code == 403


def test_staff_list_for_a_superuser_needs_no_staff_row(
    agency: Agency, signed_in: Callable[..., Client]
) -> None:
    root = signed_in("root", superuser=True)
    assert not Staff.objects.filter(user__username="root").exists()
    assert root.get("/admin/agencies/staff/").status_code == 200
