"""Staff answer a resident's post as the department, pointing to the report form or number."""

from porchlight.agencies.models import Role
from porchlight.alerts.models import StaffReply
from porchlight.audit.models import AuditEntry
from porchlight.community.tests.factories import make_post, make_resident


def test_a_reply_shows_under_the_post_with_the_number(client, signed_in, agency):
    author = make_resident(agency, "poster@example.org")
    post = make_post(author, 35.38, -119.01, title="Car broken into")
    staff = signed_in(role=Role.ADMIN)
    response = staff.post(f"/console/alerts/posts/{post.pk}/reply/",
                          {"body": "Sorry to hear it. Please file a report.", "points_to": "phone"})  # fmt: skip
    assert response.status_code == 302
    answer = StaffReply.objects.get()
    assert answer.agency == agency and answer.points_to == "phone"
    assert AuditEntry.objects.filter(action="alerts.staff_reply").exists()
    client.force_login(author.user)
    page = client.get(f"/n/{agency.slug}/posts/{post.pk}/").content.decode()
    assert "Sorry to hear it." in page and "tel:661-327-7111" in page
    assert staff.get(f"/console/alerts/posts/{post.pk}/reply/").status_code == 200


def test_read_only_staff_and_other_agencies_cannot_reply(signed_in, agency, other_agency):
    post = make_post(make_resident(agency, "p@example.org"), 35.38, -119.01)
    reader = signed_in(role=Role.READ_ONLY)
    assert reader.post(f"/console/alerts/posts/{post.pk}/reply/", {"body": "x"}).status_code == 403
    other = signed_in("bob", of=other_agency)
    assert other.get(f"/console/alerts/posts/{post.pk}/reply/").status_code == 404
    assert not StaffReply.objects.exists()
