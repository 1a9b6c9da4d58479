"""Residents flag comments as they flag posts: the same reasons, one flag per resident per
comment, the same rate limit; the flag reaches the moderation queue with its reasons and the
post's history, and a moderator removes the comment (with rule and reason, appealable) or keeps
it. Every step is audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from porchlight.audit.models import AuditEntry
from porchlight.community.models import Comment, Decision, Flag, Post, Removal
from porchlight.community.tests.factories import make_post, make_resident, make_thread
from porchlight.community.tests.test_moderation import moderator
from porchlight.demo.agency import make_agency

LAT, LON = 35.3733, -119.0187
RUDE = "Whoever parks there is an idiot."


@pytest.fixture
def thread(agency: Any) -> tuple[Post, Comment, Any]:
    return make_thread(agency, RUDE)


def signed_in(resident: Any) -> Client:
    client = Client()
    client.force_login(resident.user)
    return client


def flag_url(comment: Comment) -> str:
    return f"/n/bakersfield/comments/{comment.pk}/flag/"


@pytest.mark.django_db
def test_a_flagged_comment_is_queued_with_its_reason(agency: Any, thread: Any) -> None:
    post, comment, _cy = thread
    dee = signed_in(make_resident(agency, "dee@example.org"))
    page = dee.get(f"/n/bakersfield/posts/{post.pk}/").content.decode()
    assert flag_url(comment) in page and "Flag this comment" in page
    form = dee.get(flag_url(comment))
    # The post's reasons, and the comment being flagged.
    assert form.status_code == 200
    assert b"Harassment or threats" in form.content and RUDE.encode() in form.content
    r = dee.post(flag_url(comment), {"reason": "harassment", "note": "name-calling"})
    assert r.status_code == 302 and r["Location"].endswith(
        f"/posts/{post.pk}/#comment-{comment.pk}"
    )
    made = Flag.objects.get()
    assert (made.comment, made.post, made.reason) == (comment, post, "harassment")
    # Once per resident per comment; flagging the post as well is a separate flag.
    dee.post(flag_url(comment), {"reason": "spam"})
    assert Flag.objects.count() == 1
    dee.post(f"/n/bakersfield/posts/{post.pk}/flag/", {"reason": "spam"})
    assert Flag.objects.count() == 2
    assert AuditEntry.objects.filter(
        action="community.comment.flag", target_id=str(made.pk)
    ).exists()

    mod = moderator(agency, "cr1")
    queue = mod.get("/console/community/").content.decode()
    assert post.title in queue and "1 flag on comments" in queue
    item = mod.get(f"/console/community/posts/{post.pk}/").content.decode()
    assert "Harassment or threats" in item and "name-calling" in item
    assert "Keep the comment (dismiss its flags)" in item


@pytest.mark.django_db
def test_removing_a_flagged_comment_resolves_its_flags_and_can_be_appealed(
    agency: Any, thread: Any
) -> None:
    post, comment, cy = thread
    signed_in(make_resident(agency, "dee@example.org")).post(
        flag_url(comment), {"reason": "harassment"}
    )
    mod = moderator(agency, "cr1")
    r = mod.post(
        f"/console/community/comments/{comment.pk}/remove/",
        {f"c{comment.pk}-rule": "harassment", f"c{comment.pk}-reason": "Insults a neighbour."},
    )
    assert r.status_code == 302
    assert Flag.objects.get().resolved is not None
    assert post.title.encode() not in mod.get("/console/community/").content
    removal = Removal.objects.get()
    assert removal.comment == comment
    # The existing appeal flow.
    r = signed_in(cy).post(
        f"/n/bakersfield/removals/{removal.pk}/appeal/", {f"r{removal.pk}-appeal": "Sorry."}
    )
    assert r.status_code == 302
    removal.refresh_from_db()
    assert removal.appealed is not None
    # A removed comment cannot be flagged any more.
    other = signed_in(make_resident(agency, "eve@example.org"))
    assert other.get(flag_url(comment)).status_code == 404


@pytest.mark.django_db
def test_a_moderator_keeps_a_flagged_comment(agency: Any, thread: Any) -> None:
    post, comment, _cy = thread
    dee = signed_in(make_resident(agency, "dee@example.org"))
    dee.post(flag_url(comment), {"reason": "false"})
    dee.post(f"/n/bakersfield/posts/{post.pk}/flag/", {"reason": "spam"})
    mod = moderator(agency, "cr1")
    # Keeping the post dismisses the post's own flag, not the comment's.
    mod.post(f"/console/community/posts/{post.pk}/act/", {"action": "keep"})
    assert Flag.objects.get(comment__isnull=True).resolved is not None
    assert Flag.objects.get(comment=comment).resolved is None
    assert post.title.encode() in mod.get("/console/community/").content
    keep = f"/console/community/comments/{comment.pk}/keep/"
    assert mod.get(keep).status_code == 405
    assert mod.post(keep).status_code == 302
    assert Flag.objects.get(comment=comment).resolved is not None
    assert post.title.encode() not in mod.get("/console/community/").content
    assert Decision.objects.filter(post=post, action=Decision.Action.COMMENT_KEPT).exists()
    assert AuditEntry.objects.filter(
        action="community.comment.keep", target_id=str(comment.pk)
    ).exists()
    # Nothing left to dismiss.
    assert mod.post(keep).status_code == 409
    comment.refresh_from_db()
    assert comment.removed is None


@pytest.mark.django_db
def test_who_may_flag_and_who_may_keep(agency: Any, thread: Any) -> None:
    post, comment, cy = thread
    # Not one's own comment; not another agency's.
    assert signed_in(cy).get(flag_url(comment)).status_code == 404
    elsewhere = make_agency(slug="other", ori="CA0150099", name="Other PD")
    stranger = signed_in(make_resident(elsewhere, "zed@example.org"))
    assert stranger.post(flag_url(comment), {"reason": "spam"}).status_code in (403, 404)
    # Not a comment under a post waiting for review.
    pending = make_post(post.author, LAT, LON, status=Post.Status.PENDING)
    hidden = Comment.objects.create(post=pending, author=cy, body="hi")
    dee = signed_in(make_resident(agency, "dee@example.org"))
    assert dee.get(flag_url(hidden)).status_code == 404
    # A bad reason is a 400 with the form, not a flag.
    assert dee.post(flag_url(comment), {"reason": "nonsense"}).status_code == 400
    assert not Flag.objects.exists()
    dee.post(flag_url(comment), {"reason": "spam"})
    keep = f"/console/community/comments/{comment.pk}/keep/"
    assert moderator(agency, "ro", role="readonly").post(keep).status_code == 403
    assert moderator(elsewhere, "fresno-cr").post(keep).status_code == 404
    assert Flag.objects.get().resolved is None


@pytest.mark.django_db
def test_comment_flags_share_the_flag_rate_limit(agency: Any, thread: Any, settings: Any) -> None:
    settings.COMMUNITY_FLAG_RATE = "2/h"
    post, comment, cy = thread
    other = Comment.objects.create(post=post, author=cy, body="Second thought.")
    third = Comment.objects.create(post=post, author=cy, body="Third thought.")
    dee = signed_in(make_resident(agency, "dee@example.org"))
    dee.post(f"/n/bakersfield/posts/{post.pk}/flag/", {"reason": "spam"})
    dee.post(flag_url(comment), {"reason": "spam"})
    r = dee.post(flag_url(other), {"reason": "spam"})
    assert r.status_code == 429 and "Retry-After" in r
    assert Flag.objects.count() == 2
    assert dee.get(flag_url(third)).status_code == 200


@pytest.mark.django_db
def test_a_resident_export_names_the_flagged_comment(agency: Any, thread: Any) -> None:
    _post, comment, _cy = thread
    dee_resident = make_resident(agency, "dee@example.org")
    dee = signed_in(dee_resident)
    dee.post(flag_url(comment), {"reason": "spam"})
    data = dee.get("/n/bakersfield/account/export.json").json()
    assert data["flags"][0]["comment"] == comment.pk
