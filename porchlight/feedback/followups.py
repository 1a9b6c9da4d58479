"""Staff work on follow-ups: take one, note what was done, change its status, resolve it and
(optionally) tell the person. Every change is audited; the "resolved" note goes out through
the notification engine (trigger survey.followup), by the channel the invitation went."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from porchlight.audit.log import record
from porchlight.feedback.models import BeatSupervisor, FollowUp, FollowUpNote
from porchlight.notify import plan
from porchlight.notify.models import Trigger


class Refused(ValueError):
    """Why a change cannot be made (a 400 with the reason)."""


def for_user(qs: QuerySet[FollowUp], user: Any) -> QuerySet[FollowUp]:
    """The follow-ups a supervisor answers for: their beats' and the ones they own."""
    beats = BeatSupervisor.objects.filter(user=user).values("beat")
    return qs.filter(Q(beat__in=beats) | Q(owner=user))


def _audit(action: str, follow_up: FollowUp, request: Any, changes: dict[str, Any]) -> None:
    """The audit entry of a change to a follow-up, in the follow-up's agency."""
    record(
        action,
        request=request,
        agency=follow_up.agency,
        target=follow_up,
        changes=changes,
    )


def take(follow_up: FollowUp, request: Any) -> None:
    with transaction.atomic():
        before = follow_up.owner_id
        follow_up.owner = request.user
        if follow_up.status == FollowUp.Status.OPEN:
            follow_up.status = FollowUp.Status.WORKING
        follow_up.save(update_fields=["owner", "status"])
        _audit(
            "feedback.follow_up.take",
            follow_up,
            request,
            {"owner": [before, request.user.pk], "status": follow_up.status},
        )


def add_note(follow_up: FollowUp, request: Any, text: str) -> FollowUpNote:
    text = text.strip()
    if not text:
        raise Refused("The note is empty.")
    if len(text) > 4000:
        raise Refused("A note is at most 4000 characters.")
    with transaction.atomic():
        note = FollowUpNote.objects.create(follow_up=follow_up, author=request.user, text=text)
        _audit("feedback.follow_up.note", follow_up, request, {"note": note.pk})
    return note


def resolve(follow_up: FollowUp, request: Any, *, tell: bool) -> None:
    if follow_up.status == FollowUp.Status.RESOLVED:
        raise Refused("This follow-up is already resolved.")
    invitation = follow_up.response.invitation
    with transaction.atomic():
        follow_up.status = FollowUp.Status.RESOLVED
        follow_up.resolved_at = timezone.now()
        if follow_up.owner_id is None:
            follow_up.owner = request.user
        if tell:
            follow_up.told = plan.message(
                follow_up.agency,
                invitation.contact,
                Trigger.FOLLOW_UP,
                dedupe=f"followup:{follow_up.pk}",
                context={},
                language=invitation.language,
                call=invitation.call,
            )
        follow_up.save(update_fields=["status", "resolved_at", "owner", "told"])
        _audit(
            "feedback.follow_up.resolve",
            follow_up,
            request,
            {"status": "resolved", "told": follow_up.told_id},
        )


def reopen(follow_up: FollowUp, request: Any) -> None:
    if follow_up.status != FollowUp.Status.RESOLVED:
        raise Refused("Only a resolved follow-up can be reopened.")
    with transaction.atomic():
        follow_up.status = FollowUp.Status.WORKING
        follow_up.resolved_at = None
        follow_up.save(update_fields=["status", "resolved_at"])
        _audit("feedback.follow_up.reopen", follow_up, request, {"status": "working"})
