"""Moderation: every state change of a post by a moderator or an appeal, each audited.

    status_for_new_post(resident, prompted_anyway)   pre-moderation or publish at once
    approve(post, request) / remove(post, rule, reason, request) / keep(post, request)
    remove_comment(comment, rule, reason, request)   the same rule, reason and appeal as a post
    flag(post, resident, reason, note, request, comment=None)   a resident flags a post or comment
    keep_comment(comment, request)                   dismiss a comment's flags
    appeal(removal, text, resident, request) / decide_appeal(removal, upheld, note, request)
    trust(resident, request)

Who moderates: the agency's community-relations staff and its admins (`can_moderate`).
An appeal is decided by a different moderator from the one who removed the post; with no
second moderator the appeal waits (the queue says so) rather than being self-reviewed.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from porchlight.agencies.models import Agency, Role
from porchlight.audit.log import record
from porchlight.community.models import Comment, Decision, Flag, Post, Removal, Resident
from porchlight.community.rules import BY_CODE

MODERATOR_ROLES = (Role.COMMUNITY, Role.ADMIN)


def can_moderate(user: Any, agency: Agency) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    staff = getattr(user, "staff", None)
    return staff is not None and staff.agency_id == agency.pk and staff.role in MODERATOR_ROLES


def resident_actor(resident: Resident) -> str:
    # Audit entries never hold contact PII; a resident's username is their email.
    return f"resident {resident.pk}"


def status_for_new_post(resident: Resident, *, prompted_anyway: bool = False) -> str:
    """New accounts are pre-moderated; trusted ones publish at once and are moderated after.
    A post the poster sent despite the profiling prompt always waits for a moderator."""
    if resident.trusted and not prompted_anyway:
        return Post.Status.PUBLISHED
    return Post.Status.PENDING


def queue(agency: Agency) -> QuerySet[Post]:
    """What needs a moderator: posts waiting for review, and published posts with open
    flags on the post or on one of its standing comments; oldest first, so nothing waits
    forever behind new arrivals."""
    open_flag = Q(flags__resolved__isnull=True)
    return (
        Post.objects.filter(agency=agency, deleted__isnull=True)
        .annotate(
            open_flags=Count("flags", filter=open_flag & Q(flags__comment__isnull=True)),
            comment_flags=Count(
                "flags",
                filter=open_flag
                & Q(flags__comment__isnull=False, flags__comment__removed__isnull=True),
            ),
        )
        .filter(
            Q(status=Post.Status.PENDING)
            | Q(status=Post.Status.PUBLISHED, open_flags__gt=0)
            | Q(status=Post.Status.PUBLISHED, comment_flags__gt=0)
        )
        .select_related("author")
        .order_by("created", "pk")
    )


def appeals(agency: Agency) -> QuerySet[Removal]:
    return Removal.objects.filter(
        agency=agency, appealed__isnull=False, appeal_decided__isnull=True
    ).order_by("appealed", "pk")


def _moderator(request: HttpRequest) -> Any:
    # The views let only signed-in moderators this far (views/console.py).
    assert request.user.is_authenticated
    return request.user


def _decide(post: Post, action: str, request: HttpRequest, note: str = "") -> Decision:
    return Decision.objects.create(
        post=post, agency=post.agency, action=action, moderator=_moderator(request), note=note[:500]
    )


def _resolve_flags(post: Post, *, with_comments: bool = False) -> int:
    """Resolve the post's own open flags; its comments' too when the whole post goes."""
    flags = Flag.objects.filter(post=post, resolved__isnull=True)
    if not with_comments:
        flags = flags.filter(comment__isnull=True)
    return flags.update(resolved=timezone.now())


def _resolve_comment_flags(comment: Comment) -> int:
    return Flag.objects.filter(comment=comment, resolved__isnull=True).update(
        resolved=timezone.now()
    )


def flag(
    post: Post,
    resident: Resident,
    reason: str,
    note: str,
    request: HttpRequest,
    comment: Comment | None = None,
) -> bool:
    """A resident flags a post, or a comment under it, for a moderator. One flag per resident
    per post and per comment: False (nothing recorded) when they already flagged it."""
    try:
        with transaction.atomic():
            made = Flag.objects.create(
                post=post, comment=comment, resident=resident, reason=reason, note=note
            )
            changes: dict[str, Any] = {"post": post.pk, "reason": made.reason}
            if comment is not None:
                changes["comment"] = comment.pk
            record(
                "community.comment.flag" if comment is not None else "community.post.flag",
                request=request,
                actor_label=resident_actor(resident),
                agency=post.agency,
                target=made,
                changes=changes,
            )
    except IntegrityError:
        return False
    return True


def keep_comment(comment: Comment, request: HttpRequest, note: str = "") -> int:
    """Dismiss a standing comment's flags: it breaks no rule."""
    post = comment.post
    with transaction.atomic():
        flags = _resolve_comment_flags(comment)
        _decide(post, Decision.Action.COMMENT_KEPT, request, note)
        record(
            "community.comment.keep",
            request=request,
            agency=post.agency,
            target=comment,
            changes={"post": post.pk, "flags_resolved": flags},
        )
    return flags


def approve(post: Post, request: HttpRequest) -> None:
    with transaction.atomic():
        post.status = Post.Status.PUBLISHED
        post.save(update_fields=["status"])
        _decide(post, Decision.Action.APPROVED, request)
        flags = _resolve_flags(post)
        record(
            "community.post.approve",
            request=request,
            agency=post.agency,
            target=post,
            changes={"flags_resolved": flags},
        )


def keep(post: Post, request: HttpRequest, note: str = "") -> None:
    """Dismiss a published post's flags: it breaks no rule."""
    with transaction.atomic():
        _decide(post, Decision.Action.KEPT, request, note)
        flags = _resolve_flags(post)
        record(
            "community.post.keep",
            request=request,
            agency=post.agency,
            target=post,
            changes={"flags_resolved": flags},
        )


def remove(post: Post, rule: str, reason: str, request: HttpRequest) -> Removal:
    _check_rule(rule, reason)
    with transaction.atomic():
        post.status = Post.Status.REMOVED
        post.save(update_fields=["status"])
        removal = _removal(post, rule, reason, request, Decision.Action.REMOVED, post=post)
        flags = _resolve_flags(post, with_comments=True)
        record(
            "community.post.remove",
            request=request,
            agency=post.agency,
            target=post,
            changes={"rule": rule, "removal": removal.pk, "flags_resolved": flags},
        )
    return removal


def _removal(
    under: Post, rule: str, reason: str, request: HttpRequest, action: str, **taken_down: Any
) -> Removal:
    """The removal the author reads and may appeal (of the post, or of one comment under it:
    `taken_down`), and the decision in the post's history."""
    removal = Removal.objects.create(
        **taken_down,
        agency=under.agency,
        category=under.category,
        rule=rule,
        reason=reason.strip()[:1000],
        moderator=_moderator(request),
    )
    _decide(under, action, request, f"{rule}: {reason.strip()}")
    return removal


def _check_rule(rule: str, reason: str) -> None:
    if rule not in BY_CODE:
        raise ValueError(f"unknown rule {rule!r}")
    if not reason.strip():
        raise ValueError("a removal needs a reason the author can read")


def remove_comment(comment: Comment, rule: str, reason: str, request: HttpRequest) -> Removal:
    """Take a comment down. Its author reads the rule and the reason under the post and can
    appeal to another moderator, exactly as for a post; the post itself is untouched."""
    _check_rule(rule, reason)
    if comment.removed is not None:
        raise ValueError("this comment is already removed")
    post = comment.post
    with transaction.atomic():
        comment.removed = timezone.now()
        comment.save(update_fields=["removed"])
        # In the post's history, so the queue shows everything done under it.
        action = Decision.Action.COMMENT_REMOVED
        removal = _removal(post, rule, reason, request, action, comment=comment)
        flags = _resolve_comment_flags(comment)
        record(
            "community.comment.remove",
            request=request,
            agency=post.agency,
            target=comment,
            changes={"rule": rule, "removal": removal.pk, "post": post.pk, "flags_resolved": flags},
        )
    return removal


def appeal(removal: Removal, text: str, resident: Resident, request: HttpRequest) -> None:
    if removal.author_id is None or removal.author_id != resident.pk:
        raise PermissionDenied
    if removal.appealed is not None:
        raise ValueError("this removal was already appealed")
    with transaction.atomic():
        removal.appeal = text.strip()[:2000]
        removal.appealed = timezone.now()
        removal.save(update_fields=["appeal", "appealed"])
        record(
            "community.removal.appeal",
            request=request,
            actor_label=resident_actor(resident),
            agency=removal.agency,
            target=removal,
        )


def decide_appeal(removal: Removal, upheld: bool, note: str, request: HttpRequest) -> None:
    if removal.moderator_id == request.user.pk:
        # The point of an appeal is a second pair of eyes.
        raise PermissionDenied("another moderator decides this appeal")
    if removal.appealed is None or removal.appeal_decided is not None:
        raise ValueError("no open appeal")
    with transaction.atomic():
        removal.appeal_decided_by = _moderator(request)
        removal.appeal_upheld = upheld
        removal.appeal_note = note.strip()[:500]
        removal.appeal_decided = timezone.now()
        removal.save(
            update_fields=["appeal_decided_by", "appeal_upheld", "appeal_note", "appeal_decided"]
        )
        comment = removal.comment
        if comment is not None:
            if not upheld:
                comment.removed = None
                comment.save(update_fields=["removed"])
            _decide(
                comment.post,
                Decision.Action.APPEAL_UPHELD if upheld else Decision.Action.COMMENT_RESTORED,
                request,
                note,
            )
        post = removal.post
        if post is not None:
            if not upheld:
                post.status = Post.Status.PUBLISHED
                post.save(update_fields=["status"])
            _decide(
                post,
                Decision.Action.APPEAL_UPHELD if upheld else Decision.Action.APPEAL_REVERSED,
                request,
                note,
            )
        record(
            "community.removal.decide_appeal",
            request=request,
            agency=removal.agency,
            target=removal,
            changes={"upheld": upheld},
        )


def trust(resident: Resident, request: HttpRequest) -> None:
    with transaction.atomic():
        resident.trusted = True
        resident.save(update_fields=["trusted"])
        record(
            "community.resident.trust",
            request=request,
            agency=resident.agency,
            target=resident,
        )
