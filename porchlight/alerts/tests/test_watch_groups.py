"""Neighborhood Watch: residents with a place in the area join; staff name block captains and
message the group; captains see members and the posts in the area; nobody sees addresses."""

import pytest
from django.test import Client

from porchlight.agencies.models import Role
from porchlight.alerts import watch
from porchlight.alerts.models import WatchGroup, WatchMember, WatchRole
from porchlight.audit.models import AuditEntry
from porchlight.community.tests.factories import make_post
from porchlight.notify.models import Outbox

from .conftest import LAT, LON, STEP


def resident_client(place):
    client = Client()
    client.force_login(place.resident.user)
    return client


@pytest.fixture
def group(agency, grid):
    return watch.create(agency, "Oak Street Watch", grid["1A"].geometry)


def test_staff_create_a_group_from_beats_and_it_is_audited(signed_in, agency, grid):
    client = signed_in()
    response = client.post("/console/alerts/watch/", {"name": "Oak St", "beats": [grid["1A"].pk]})
    assert response.status_code == 302
    assert WatchGroup.objects.get().name == "Oak St"
    assert AuditEntry.objects.filter(action="alerts.watch_create").exists()
    bad = client.post("/console/alerts/watch/", {"name": "Nowhere"})
    assert bad.status_code == 400 and "Choose beats or draw an area" in bad.content.decode()


def test_residents_in_the_area_join_and_others_cannot(group, neighbor):
    inside = neighbor(LAT + STEP / 2, LON + STEP / 2)
    outside = neighbor(LAT + 1, LON)
    assert "Oak Street Watch" in resident_client(inside).get("/me/watch/").content.decode()
    assert resident_client(inside).post("/me/watch/", {"group": group.pk}).status_code == 302
    assert WatchMember.objects.filter(group=group, resident=inside.resident).exists()
    refused = resident_client(outside).post("/me/watch/", {"group": group.pk})
    assert refused.status_code == 403


def test_a_message_goes_to_every_member(signed_in, group, neighbor):
    members = [neighbor(LAT + STEP / 2, LON + STEP / (2 + n)) for n in range(3)]
    from porchlight.alerts import reach

    for place in members:
        reach.ensure_email(place.resident)
        watch.join(place.resident, group)
    client = signed_in(role=Role.ADMIN)
    response = client.post(f"/console/alerts/watch/{group.pk}/",
                           {"title": "Meeting Thursday", "body": "7 PM at the library."})  # fmt: skip
    assert response.status_code == 302
    rows = Outbox.objects.filter(dedupe_key__contains=":watch:")
    assert rows.count() == 3
    assert rows.first().context["alert_title"] == "Oak Street Watch: Meeting Thursday"


def test_captains_see_members_and_posts_and_members_do_not(signed_in, group, neighbor):
    captain, member = (
        neighbor(LAT + STEP / 2, LON + STEP / 2),
        neighbor(LAT + STEP / 3, LON + STEP / 3),
    )
    for place in (captain, member):
        watch.join(place.resident, group)
    make_post(member.resident, LAT + STEP / 2, LON + STEP / 2, title="Open garage at night")
    make_post(member.resident, LAT + 1, LON, title="Far away")
    staff = signed_in()
    mine = WatchMember.objects.get(resident=captain.resident)
    assert (
        staff.post(f"/console/alerts/watch/members/{mine.pk}/role", {"role": "captain"}).status_code
        == 302
    )
    assert WatchMember.objects.get(pk=mine.pk).role == WatchRole.CAPTAIN
    page = resident_client(captain).get(f"/me/watch/{group.pk}/").content.decode()
    assert "Open garage at night" in page and "Far away" not in page and "Neighbor" in page
    plain = resident_client(member).get(f"/me/watch/{group.pk}/").content.decode()
    assert "Open garage at night" not in plain
    assert resident_client(neighbor(LAT + 1, LON)).get(f"/me/watch/{group.pk}/").status_code == 404


def test_staff_of_another_agency_cannot_see_the_group(signed_in, other_agency, group):
    client = signed_in(of=other_agency)
    assert client.get(f"/console/alerts/watch/{group.pk}/").status_code == 404
