"""Nothing reaches a resident before a supervisor approves; the notice reaches only places
inside the area, and says what is asked, why, by whom, and that sharing is voluntary."""

from __future__ import annotations

import pytest

from porchlight.agencies.models import Role
from porchlight.agencies.tests.conftest import make_user
from porchlight.alerts.models import ResidentContact
from porchlight.assist import flow
from porchlight.assist.models import Status
from porchlight.audit.models import AuditEntry
from porchlight.community.tests.factories import north_of
from porchlight.notify import texts
from porchlight.notify.models import Outbox, Trigger

from .conftest import LAT, LON


def assist_rows():
    return Outbox.objects.filter(trigger=Trigger.ASSIST)


def told() -> set[int]:
    """The residents the planned rows go to."""
    contacts = set(assist_rows().values_list("contact_id", flat=True))
    return set(
        ResidentContact.objects.filter(contact_id__in=contacts).values_list(
            "resident_id", flat=True
        )
    )


def test_nothing_is_sent_before_approval(draft, detective, supervisor, neighbor):
    neighbor(LAT, LON)
    item = draft()
    assert item.status == Status.DRAFT and not assist_rows().exists()
    flow.submit(item, actor=detective)
    assert item.status == Status.PENDING and not assist_rows().exists()
    notified = flow.approve(item, actor=supervisor)
    item.refresh_from_db()
    assert notified == 1 == item.residents_notified
    assert item.status == Status.SENT and item.approved_by == supervisor
    assert assist_rows().count() == 1
    actions = list(AuditEntry.objects.filter(target_id=str(item.pk),
                                             target_type="assist.assistancerequest")
                   .order_by("id").values_list("action", flat=True))  # fmt: skip
    assert actions == ["assist.create", "assist.submit", "assist.approve", "assist.notify"]


def test_a_draft_cannot_be_approved_without_submitting(draft, supervisor, neighbor):
    neighbor(LAT, LON)
    item = draft()
    with pytest.raises(flow.NotAllowed):
        flow.approve(item, actor=supervisor)
    assert not assist_rows().exists()


def test_the_creator_cannot_approve_their_own(agency, case, draft, neighbor):
    boss = make_user("boss", agency=agency, role=Role.SUPERVISOR, totp=False)[0]
    neighbor(LAT, LON)
    item = draft(actor=boss)
    flow.submit(item, actor=boss)
    with pytest.raises(flow.NotAllowed, match="own"):
        flow.approve(item, actor=boss)
    assert not assist_rows().exists()


@pytest.mark.parametrize("role", [Role.DETECTIVE, Role.COMMUNITY, Role.RECORDS])
def test_only_supervisors_and_admins_approve(agency, draft, detective, neighbor, role):
    other = make_user(f"x-{role}", agency=agency, role=role, totp=False)[0]
    neighbor(LAT, LON)
    item = draft()
    flow.submit(item, actor=detective)
    with pytest.raises(flow.NotAllowed):
        flow.approve(item, actor=other)
    assert not assist_rows().exists()


def test_records_and_read_only_staff_cannot_ask(agency, draft):
    clerk = make_user("clerk", agency=agency, role=Role.RECORDS, totp=False)[0]
    with pytest.raises(flow.NotAllowed):
        draft(actor=clerk)


def test_a_rejected_request_sends_nothing(draft, detective, supervisor, neighbor):
    neighbor(LAT, LON)
    item = draft()
    flow.submit(item, actor=detective)
    flow.reject(item, "Too wide for this case", actor=supervisor)
    assert item.status == Status.REJECTED and not assist_rows().exists()
    with pytest.raises(flow.NotAllowed):
        flow.approve(item, actor=supervisor)


def test_only_places_inside_the_area_are_told(sent, neighbor):
    inside = neighbor(LAT, LON)
    edge = neighbor(north_of(LAT, 0.22), LON)  # 354 m north: inside a 400 m radius
    # 500 m north, with a 5-mile radius that covers the whole area: still outside.
    outside_wide = neighbor(north_of(LAT, 0.31), LON, miles=5.0)
    far = neighbor(north_of(LAT, 2.0), LON)
    item = sent(radius_m=400)
    assert told() == {inside.resident_id, edge.resident_id}
    assert outside_wide.resident_id not in told() and far.resident_id not in told()
    assert item.residents_notified == 2


def test_a_polygon_area_reaches_only_its_places(sent, neighbor):
    square = {"type": "Polygon", "coordinates": [[
        [LON, LAT], [LON + 0.004, LAT], [LON + 0.004, LAT + 0.004], [LON, LAT + 0.004],
        [LON, LAT]]]}  # fmt: skip
    inside = neighbor(LAT + 0.002, LON + 0.002)
    neighbor(LAT - 0.001, LON + 0.002)  # just south of the square
    sent(polygon=square, center=None, radius_m=None)
    assert told() == {inside.resident_id}


def test_the_notice_says_what_why_who_and_voluntary(agency, sent, neighbor):
    neighbor(LAT, LON)
    item = sent()
    row = assist_rows().get()
    composed = texts.compose(row, None, None)
    assert "Burglary" in composed.body
    assert "garage break-in" in composed.body  # what and why
    assert "Det. Dee Ortiz" in composed.body  # by whom
    assert "voluntary" in composed.body
    assert f"/n/{agency.slug}/assist/{item.pk}/" in composed.body


def test_the_notice_is_in_the_residents_language(agency, sent, neighbor):
    place = neighbor(LAT, LON)
    place.resident.language = "es"
    place.resident.save()
    sent()
    composed = texts.compose(assist_rows().get(), None, None)
    assert "voluntario" in composed.body
