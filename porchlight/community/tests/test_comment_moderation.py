"""Removing comments: the rule and reason the author reads, the appeal to another moderator,
the post left alone, agency scope, and the audit trail."""

from __future__ import annotations

from typing import Any

import pytest

from porchlight.audit.models import AuditEntry
from porchlight.community.models import Comment, Decision, Post, Removal
from porchlight.community.tests.factories import make_resident, make_thread
from porchlight.community.tests.test_moderation import moderator
from porchlight.demo.agency import make_agency

RUDE = "You people are all idiots and should move away."


@pytest.fixture
def thread(agency: Any) -> tuple[Post, Comment, Any]:
    return make_thread(agency, RUDE)


def remove_url(comment: Comment) -> str:
    return f"/console/community/comments/{comment.pk}/remove/"


def removal_form(comment: Comment, rule: str = "harassment", reason: str = "Insults.") -> dict:
    return {f"c{comment.pk}-rule": rule, f"c{comment.pk}-reason": reason}


@pytest.mark.django_db
def test_a_moderator_removes_a_comment_and_its_author_appeals_to_another(
    client: Any, agency: Any, thread: Any
) -> None:
    post, comment, commenter = thread
    first = moderator(agency, "cr1")
    page = first.get(f"/console/community/posts/{post.pk}/")
    assert RUDE.encode() in page.content and b"Remove this comment" in page.content
    r = first.post(remove_url(comment), removal_form(comment, reason="Name-calling, not facts."))
    assert r.status_code == 302
    comment.refresh_from_db()
    post.refresh_from_db()
    assert comment.removed is not None
    # Only the comment goes: the post stays up, and its removal record is the comment's.
    assert post.status == Post.Status.PUBLISHED
    removal = Removal.objects.get()
    assert (removal.comment, removal.post, removal.rule) == (comment, None, "harassment")
    assert Decision.objects.get(post=post).action == Decision.Action.COMMENT_REMOVED
    assert AuditEntry.objects.filter(
        action="community.comment.remove", target_id=str(comment.pk)
    ).exists()

    # Other residents no longer see it; its author sees the rule and the reason, and appeals.
    other = make_resident(agency, "dee@example.org")
    client.force_login(other.user)
    assert RUDE.encode() not in client.get(f"/n/bakersfield/posts/{post.pk}/").content
    client.force_login(commenter.user)
    page = client.get(f"/n/bakersfield/posts/{post.pk}/").content.decode()
    assert "A moderator removed your comment" in page and "Name-calling, not facts." in page
    r = client.post(
        f"/n/bakersfield/removals/{removal.pk}/appeal/",
        {f"r{removal.pk}-appeal": "I was upset; I take back the insult."},
    )
    assert r.status_code == 302 and r["Location"] == f"/n/bakersfield/posts/{post.pk}/"
    removal.refresh_from_db()
    assert removal.appeal == "I was upset; I take back the insult."

    # The same moderator cannot decide; another restores it.
    assert first.post(f"/console/community/removals/{removal.pk}/decide/",
                      {"decision": "reverse"}).status_code == 403  # fmt: skip
    second = moderator(agency, "cr2", role="admin")
    assert (
        b"Restore the comment" in second.get(f"/console/community/removals/{removal.pk}/").content
    )
    r = second.post(
        f"/console/community/removals/{removal.pk}/decide/",
        {"decision": "reverse", "note": "Fair enough."},
    )
    assert r.status_code == 302
    comment.refresh_from_db()
    removal.refresh_from_db()
    assert comment.removed is None and removal.appeal_upheld is False
    assert Decision.objects.filter(post=post, action=Decision.Action.COMMENT_RESTORED).exists()
    client.force_login(other.user)
    assert RUDE.encode() in client.get(f"/n/bakersfield/posts/{post.pk}/").content
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"community.removal.appeal", "community.removal.decide_appeal"} <= actions


@pytest.mark.django_db
def test_an_upheld_appeal_keeps_the_comment_down_and_says_so(
    client: Any, agency: Any, thread: Any
) -> None:
    post, comment, commenter = thread
    moderator(agency, "cr1").post(remove_url(comment), removal_form(comment))
    removal = Removal.objects.get()
    client.force_login(commenter.user)
    client.post(f"/n/bakersfield/removals/{removal.pk}/appeal/", {f"r{removal.pk}-appeal": "No."})
    moderator(agency, "cr2").post(
        f"/console/community/removals/{removal.pk}/decide/", {"decision": "uphold"}
    )
    comment.refresh_from_db()
    assert comment.removed is not None
    page = client.get(f"/n/bakersfield/posts/{post.pk}/").content.decode()
    assert "kept the comment removed" in page
    # One appeal only.
    client.post(f"/n/bakersfield/removals/{removal.pk}/appeal/", {f"r{removal.pk}-appeal": "Again"})
    removal.refresh_from_db()
    assert removal.appeal == "No."


@pytest.mark.django_db
def test_a_removal_needs_a_rule_and_a_reason_and_happens_once(agency: Any, thread: Any) -> None:
    _post, comment, _commenter = thread
    mod = moderator(agency, "cr1")
    r = mod.post(remove_url(comment), removal_form(comment, reason="  "))
    assert r.status_code == 400
    r = mod.post(remove_url(comment), removal_form(comment, rule="no-such-rule"))
    assert r.status_code == 400
    assert not Removal.objects.exists()
    assert mod.post(remove_url(comment), removal_form(comment)).status_code == 302
    assert mod.post(remove_url(comment), removal_form(comment)).status_code == 409
    assert Removal.objects.count() == 1
    # Not a GET.
    assert mod.get(remove_url(comment)).status_code == 405


@pytest.mark.django_db
def test_only_the_agencys_moderators_remove_comments(client: Any, agency: Any, thread: Any) -> None:
    _post, comment, commenter = thread
    assert moderator(agency, "ro", role="readonly").post(
        remove_url(comment), removal_form(comment)
    ).status_code == 403  # fmt: skip
    elsewhere = make_agency(slug="other", ori="CA0150099", name="Other PD")
    assert moderator(elsewhere, "fresno-cr").post(
        remove_url(comment), removal_form(comment)
    ).status_code == 404  # fmt: skip
    # A resident, even the post's author, cannot.
    client.force_login(commenter.user)
    assert client.post(remove_url(comment), removal_form(comment)).status_code in (302, 403)
    comment.refresh_from_db()
    assert comment.removed is None and not Removal.objects.exists()


@pytest.mark.django_db
def test_someone_else_cannot_appeal_a_comment_removal(
    client: Any, agency: Any, thread: Any
) -> None:
    post, comment, _commenter = thread
    moderator(agency, "cr1").post(remove_url(comment), removal_form(comment))
    removal = Removal.objects.get()
    client.force_login(post.author.user)  # the post's author, not the comment's
    r = client.post(
        f"/n/bakersfield/removals/{removal.pk}/appeal/", {f"r{removal.pk}-appeal": "Let it be."}
    )
    assert r.status_code == 404
    removal.refresh_from_db()
    assert removal.appealed is None
