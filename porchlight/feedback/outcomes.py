"""What a submitted response sets off: a follow-up for the beat's supervisors, and
commendations for the officers.

- A follow-up opens when a rating of the call taker, the officer or the whole call is at or
  below FEEDBACK_LOW_SCORE (2 of 5), or when the person asks to be contacted.
- Praise is a message to the officer ("anything you want to tell the officer") from someone
  who did not rate the officer low: it becomes a commendation for each officer of the call,
  shown on their console page and, when their record asks for it, emailed to them.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from porchlight.feedback.models import About, Commendation, FollowUp, Kind, Response

RATED = (About.CALL_TAKER, About.OFFICER, About.OVERALL)


def follow_up_reason(response: Response) -> str:
    """Why this response needs a supervisor, or ""."""
    reasons = []
    for answer in response.answers.select_related("question"):
        q = answer.question
        if q.kind == Kind.RATING and q.about in RATED and answer.number is not None:
            if answer.number <= settings.FEEDBACK_LOW_SCORE:
                reasons.append(f"{q.get_about_display().lower()} rated {answer.number} of 5")
        if q.kind == Kind.YES_NO and q.about == About.CONTACT_ME and answer.yes:
            reasons.append("asked to be contacted")
    return "; ".join(reasons)[:200]


def praise(response: Response) -> str:
    """The message to the officer when it is praise, or ""."""
    text = ""
    officer_score = None
    for answer in response.answers.select_related("question"):
        if answer.question.about == About.TO_OFFICER and answer.text.strip():
            text = answer.text.strip()
        if answer.question.about == About.OFFICER and answer.number is not None:
            officer_score = answer.number
    if officer_score is not None and officer_score <= 3:
        return ""
    return text


def after_submit(response: Response) -> None:
    invitation = response.invitation
    reason = follow_up_reason(response)
    if reason:
        FollowUp.objects.get_or_create(
            response=response,
            defaults={"agency_id": invitation.agency_id, "beat": invitation.beat, "reason": reason},
        )
    text = praise(response)
    if not text:
        return
    for officer in invitation.officers.all():
        commendation, made = Commendation.objects.get_or_create(
            officer=officer,
            response=response,
            defaults={"agency_id": invitation.agency_id, "text": text},
        )
        if made and officer.email_commendations and officer.email:
            transaction.on_commit(functools.partial(email, commendation.pk))


def email(commendation_id: int) -> None:
    """Send one commendation to its officer (after the response committed)."""
    commendation = Commendation.objects.select_related("officer", "agency").get(pk=commendation_id)
    if commendation.emailed_at is not None:
        return
    from porchlight.feedback.redact import redact

    officer = commendation.officer
    send_mail(
        _("A commendation from the public"),
        _(
            "Someone you helped wrote to you through %(agency)s's survey:\n\n%(text)s\n\n"
            "You can read all your commendations in the Porchlight console."
        )
        % {"agency": commendation.agency.name, "text": redact(commendation.text)},
        None,
        [officer.email],
    )
    Commendation.objects.filter(pk=commendation.pk).update(emailed_at=timezone.now())
