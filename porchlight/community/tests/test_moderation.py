"""Moderation: pre-moderation, the queue, removal with rule and reason, appeals decided by
another moderator, agency scope, and the audit trail."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from porchlight.audit.models import AuditEntry
from porchlight.community.models import Decision, Flag, Post, Removal
from porchlight.community.tests.factories import make_place, make_post, make_resident
from porchlight.demo.agency import make_agency
from standins.browser import client_login, make_staff

LAT, LON = 35.3733, -119.0187


def moderator(agency: Any, username: str, role: str = "community") -> Client:
    client = Client()
    client_login(client, make_staff(agency, role=role, username=username))
    return client


@pytest.fixture
def author(agency: Any) -> Any:
    return make_resident(agency, "author@example.org", first_name="Ana")


@pytest.mark.django_db
def test_a_pending_post_is_in_the_queue_and_publishing_it_is_audited(
    agency: Any, author: Any
) -> None:
    post = make_post(author, LAT, LON, status=Post.Status.PENDING)
    mod = moderator(agency, "cr1")
    r = mod.get("/console/community/")
    assert r.status_code == 200 and post.title.encode() in r.content
    # Moderators see the display name, never the email.
    r = mod.get(f"/console/community/posts/{post.pk}/")
    assert b"Ana" in r.content and b"author@example.org" not in r.content
    assert (
        mod.post(f"/console/community/posts/{post.pk}/act/", {"action": "approve"}).status_code
        == 302
    )
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED
    assert AuditEntry.objects.filter(
        action="community.post.approve", target_id=str(post.pk)
    ).exists()
    assert Decision.objects.get(post=post).action == Decision.Action.APPROVED


@pytest.mark.django_db
def test_a_flagged_post_is_queued_with_its_reasons(client: Any, agency: Any, author: Any) -> None:
    post = make_post(author, LAT, LON)
    neighbor = make_resident(agency, "bo@example.org")
    client.force_login(neighbor.user)
    r = client.post(
        f"/n/bakersfield/posts/{post.pk}/flag/", {"reason": "private", "note": "shows a plate"}
    )
    assert r.status_code == 302
    # Flagging twice is not a second flag.
    client.post(f"/n/bakersfield/posts/{post.pk}/flag/", {"reason": "spam"})
    assert Flag.objects.count() == 1
    r = moderator(agency, "cr1").get(f"/console/community/posts/{post.pk}/")
    assert b"shows a plate" in r.content


@pytest.mark.django_db
def test_removal_gives_the_rule_and_reason_and_an_appeal_goes_to_another_moderator(
    client: Any, agency: Any, author: Any
) -> None:
    post = make_post(author, LAT, LON)
    first = moderator(agency, "cr1")
    r = first.post(
        f"/console/community/posts/{post.pk}/act/",
        {"action": "remove", "rule": "privacy", "reason": "The photo shows a licence plate."},
    )
    assert r.status_code == 302
    removal = Removal.objects.get()
    assert (removal.rule, removal.post) == ("privacy", post)
    # The author reads the rule and the reason, and appeals.
    client.force_login(author.user)
    page = client.get(f"/n/bakersfield/posts/{post.pk}/")
    assert b"Keep private information private" in page.content
    assert b"The photo shows a licence plate." in page.content
    client.post(f"/n/bakersfield/removals/{removal.pk}/appeal/", {"appeal": "I blurred it."})
    removal.refresh_from_db()
    assert removal.appeal == "I blurred it."
    # The moderator who removed it cannot decide the appeal.
    r = first.post(f"/console/community/removals/{removal.pk}/decide/", {"decision": "reverse"})
    assert r.status_code == 403
    second = moderator(agency, "cr2", role="admin")
    r = second.post(
        f"/console/community/removals/{removal.pk}/decide/",
        {"decision": "reverse", "note": "The plate is blurred now."},
    )
    assert r.status_code == 302
    post.refresh_from_db()
    removal.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED and removal.appeal_upheld is False
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "community.post.remove",
        "community.removal.appeal",
        "community.removal.decide_appeal",
    } <= actions
    # Audit entries hold no resident email.
    assert not AuditEntry.objects.filter(actor_label__contains="@").exists()


@pytest.mark.django_db
def test_a_removal_needs_a_known_rule_and_a_reason(agency: Any, author: Any) -> None:
    post = make_post(author, LAT, LON)
    mod = moderator(agency, "cr1")
    url = f"/console/community/posts/{post.pk}/act/"
    assert mod.post(url, {"action": "remove", "rule": "opinion", "reason": "x"}).status_code == 400
    assert mod.post(url, {"action": "remove", "rule": "spam", "reason": ""}).status_code == 400
    assert mod.post(url, {"action": "dance"}).status_code == 400
    assert not Removal.objects.exists()


@pytest.mark.django_db
def test_removal_records_outlive_the_post(agency: Any, author: Any) -> None:
    post = make_post(author, LAT, LON)
    moderator(agency, "cr1").post(
        f"/console/community/posts/{post.pk}/act/",
        {"action": "remove", "rule": "spam", "reason": "Advertising."},
    )
    post.delete()
    removal = Removal.objects.get()
    assert removal.post is None and removal.rule == "spam" and removal.reason == "Advertising."


@pytest.mark.django_db
def test_trusted_authors_publish_at_once(client: Any, agency: Any, author: Any) -> None:
    post = make_post(author, LAT, LON, status=Post.Status.PENDING)
    moderator(agency, "cr1").post(f"/console/community/posts/{post.pk}/act/", {"action": "trust"})
    author.refresh_from_db()
    assert author.trusted
    client.force_login(author.user)
    place = make_place(author, LAT, LON)
    client.post(
        "/n/bakersfield/posts/new/",
        {
            "category": "neighborly",
            "title": "Free lemons",
            "body": "A box on our porch.",
            "place": place.pk,
        },
    )
    assert Post.objects.get(title="Free lemons").status == Post.Status.PUBLISHED


@pytest.mark.django_db
def test_only_community_relations_and_admins_of_the_agency_moderate(
    agency: Any, author: Any
) -> None:
    post = make_post(author, LAT, LON, status=Post.Status.PENDING)
    assert moderator(agency, "ro", role="readonly").get("/console/community/").status_code == 403
    assert moderator(agency, "det", role="detective").get("/console/community/").status_code == 403
    other = make_agency(slug="other", ori="CA0150099", name="Other PD")
    outsider = moderator(other, "cr9")
    assert outsider.get("/console/community/").status_code == 200
    assert outsider.get(f"/console/community/posts/{post.pk}/").status_code == 404
    r = outsider.post(f"/console/community/posts/{post.pk}/act/", {"action": "approve"})
    assert r.status_code == 404
    post.refresh_from_db()
    assert post.status == Post.Status.PENDING
