"""The public survey page, /s/<token>/: no login, the link is the key.

- Unknown token, or a call that is now excluded (reclassified as sensitive, say): 404, the
  same page, so the page tells a guesser nothing.
- Past its expiry (FEEDBACK_LINK_DAYS after it was due): 410 with "this link has expired".
- Submitted: the thanks page; a further POST is refused with 409.
- POST with `autosave=1` (the page's script, on each change): stores those answers, 204.
- POST without it: stores everything and submits; a missing required answer or a bad value
  is a 400 with the reason on the page.

CSRF: the view is exempt, on purpose. It has no session and sets no cookie; what a forged
request would need is the 96-bit token in the URL, and whoever has that can post anyway.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.log import log_response
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.decorators import ratelimit

from porchlight.calls.track import language_links
from porchlight.feedback import answers, invite
from porchlight.feedback.models import About, Invitation, Kind, Question, Response

MAX_TOKEN_LENGTH = 64
_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _find(token: str) -> Invitation | None:
    if not token or len(token) > MAX_TOKEN_LENGTH or not set(token) <= _TOKEN_CHARS:
        return None
    invitation = (
        Invitation.objects.select_related("agency", "survey", "call__call_type")
        .filter(token_hash=invite.token_hash(token))
        .first()
    )
    if invitation is None or invite.refusal(invitation.survey, invitation.call):
        return None
    return invitation


def _language(request: HttpRequest, invitation: Invitation | None) -> str:
    wanted = request.GET.get("lang", "")
    if wanted in {c for c, _ in settings.LANGUAGES}:
        return wanted
    if invitation is not None:
        return invitation.language
    return translation.get_language() or settings.LANGUAGE_CODE


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int, language: str
) -> HttpResponse:
    with translation.override(language):
        response = render(
            request, template, {**context, "languages": language_links(language)}, status=status
        )
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    response["Content-Language"] = language
    if status >= 400:
        # Logged without the path: it holds the token.
        log_response("%s: /s/…", response.reason_phrase, response=response, request=None)
    return response


def _questions(
    invitation: Invitation, response: Response | None, language: str
) -> list[dict[str, Any]]:
    given = {a.question_id: a for a in response.answers.all()} if response else {}
    out = []
    for q in invitation.survey.questions.all():
        a = given.get(q.pk)
        value = ""
        if a is not None:
            value = (
                str(a.number) if a.number is not None
                else ("yes" if a.yes else "no") if a.yes is not None
                else a.text
            )  # fmt: skip
        options: list[tuple[str, str]] = []
        if q.kind == Kind.RATING:
            options = [(str(n), str(n)) for n in range(1, 6)]
        elif q.kind == Kind.NPS:
            options = [(str(n), str(n)) for n in range(0, 11)]
        elif q.kind == Kind.CHOICE:
            options = [(str(i), c) for i, c in enumerate(q.choices(language))]
        out.append(
            {
                "q": q,
                "name": answers.field(q),
                "text": q.text(language),
                "value": value,
                "options": options,
                "ends": _ends(q),
            }
        )
    return out


def _ends(question: Question) -> tuple[Promise, Promise]:
    """The words for a rating's 1 and 5: how safe someone feels is not "poor" or "excellent".
    Lazy: the page is rendered in the survey's language, after this runs."""
    if question.about == About.SAFETY:
        return (
            pgettext_lazy("survey scale", "not safe at all"),
            pgettext_lazy("survey scale", "very safe"),
        )
    return _("poor"), _("excellent")


def _rate(group: str, request: HttpRequest) -> str:
    return settings.FEEDBACK_RATE_LIMIT


@csrf_exempt
@ratelimit(key="ip", rate=_rate, group="feedback-survey", block=False)
def page(request: HttpRequest, token: str) -> HttpResponse:
    if request.method not in ("GET", "HEAD", "POST"):
        return _page(request, "feedback/survey_gone.html", {"why": "method"}, 405, "en")
    if getattr(request, "limited", False):
        busy = _page(request, "feedback/survey_gone.html", {"why": "busy"}, 429, "en")
        busy["Retry-After"] = "60"
        return busy
    invitation = _find(token)
    language = _language(request, invitation)
    if invitation is None:
        return _page(request, "feedback/survey_gone.html", {"why": "unknown"}, 404, language)
    context: dict[str, Any] = {"agency": invitation.agency, "invitation": invitation}
    given = Response.objects.filter(invitation=invitation).first()
    if given is not None and given.submitted_at is not None:
        status = 409 if request.method == "POST" else 200
        # Asked to be contacted: the answer opened a follow-up (outcomes.after_submit), so
        # the page says someone will call, not only that the answers were read.
        context["asked_contact"] = given.answers.filter(
            question__about=About.CONTACT_ME, yes=True
        ).exists()
        return _page(request, "feedback/survey_done.html", context, status, language)
    if timezone.now() >= invitation.expires_at:
        return _page(request, "feedback/survey_gone.html", {"why": "expired"}, 410, language)

    if request.method == "POST":
        data = {k: str(v) for k, v in request.POST.items() if k.startswith("q")}
        try:
            if request.POST.get("autosave") == "1":
                answers.save(invitation, data, language)
                return HttpResponse(status=204)
            answers.submit(invitation, data, language)
        except answers.AlreadyAnswered:
            return _page(request, "feedback/survey_done.html", context, 409, language)
        except answers.BadAnswer as exc:
            if request.POST.get("autosave") == "1":
                return HttpResponse(str(exc), status=400, content_type="text/plain")
            given = Response.objects.filter(invitation=invitation).first()
            # Name the unanswered required questions, here and beside each (WCAG 3.3.1).
            gaps = {q.pk for q in answers.missing(given)} if given is not None else set()
            questions = _questions(invitation, given, language)
            for item in questions:
                item["missing"] = item["q"].pk in gaps
            context.update(
                problem=str(exc),
                missing=[item for item in questions if item["missing"]],
                questions=questions,
                intro=invitation.survey.intro(language),
                number=invitation.number,
            )
            # The answers just posted, so nothing typed is lost on the error page.
            for item in context["questions"]:
                if item["name"] in data:
                    item["value"] = data[item["name"]]
            with timezone.override(invitation.agency.tz):
                return _page(request, "feedback/survey.html", context, 400, language)
        return redirect(request.path + (f"?lang={language}" if "lang" in request.GET else ""))

    context.update(
        questions=_questions(invitation, given, language),
        intro=invitation.survey.intro(language),
        number=invitation.number,
    )
    with timezone.override(invitation.agency.tz):
        return _page(request, "feedback/survey.html", context, 200, language)
