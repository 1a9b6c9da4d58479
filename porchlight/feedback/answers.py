"""Taking answers: saved as the person goes, submitted once.

`save()` stores whichever answers a request carries (the page posts each one as it changes,
and the whole form on submit), validated per question kind; a bad value is a `BadAnswer` with
a reason (a 400), never stored. `submit()` checks the required questions, stamps the response
and runs what follows from it (outcomes.after_submit) in the same transaction. A submitted
response takes nothing more.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from porchlight.feedback import outcomes, themes
from porchlight.feedback.models import Answer, Invitation, Kind, Question, Response

MAX_TEXT = 4000


class BadAnswer(ValueError):
    pass


class AlreadyAnswered(Exception):
    pass


def field(question: Question) -> str:
    return f"q{question.pk}"


def parse(question: Question, raw: str, language: str) -> dict[str, object] | None:
    """The Answer fields for one submitted value; None for an empty value (no answer)."""
    raw = raw.strip()
    if not raw:
        return None
    if question.kind in (Kind.RATING, Kind.NPS, Kind.CHOICE):
        top = {Kind.RATING: 5, Kind.NPS: 10}.get(
            Kind(question.kind), len(question.choices(language)) - 1
        )
        bottom = 1 if question.kind == Kind.RATING else 0
        if not raw.isdigit() or not bottom <= int(raw) <= top:
            raise BadAnswer(f"question {question.pk}: {raw[:20]!r} is not one of the choices")
        return {"number": int(raw)}
    if question.kind == Kind.YES_NO:
        if raw not in ("yes", "no"):
            raise BadAnswer(f"question {question.pk}: answer yes or no")
        return {"yes": raw == "yes"}
    if len(raw) > MAX_TEXT:
        raise BadAnswer(f"question {question.pk}: at most {MAX_TEXT} characters")
    if "\x00" in raw:
        raise BadAnswer(f"question {question.pk}: the text holds a NUL character")
    return {"text": raw}


def save(invitation: Invitation, data: Mapping[str, str], language: str) -> Response:
    """Store the answers in `data` (keys q<question id>). Raises AlreadyAnswered, BadAnswer."""
    questions = list(invitation.survey.questions.all())
    with transaction.atomic():
        response, _ = Response.objects.select_for_update().get_or_create(
            invitation=invitation, defaults={"language": language}
        )
        if response.submitted_at is not None:
            raise AlreadyAnswered
        tagger: themes.Tagger | None = None
        for question in questions:
            if field(question) not in data:
                continue
            values = parse(question, data[field(question)], language)
            if values is None:
                Answer.objects.filter(response=response, question=question).delete()
                continue
            if "text" in values:
                tagger = tagger or themes.Tagger.for_agency(invitation.agency_id)
                values["themes"] = tagger.themes(str(values["text"]), language)
            Answer.objects.update_or_create(
                response=response,
                question=question,
                defaults={**values, "updated": timezone.now()},
            )
        if response.language != language:
            response.language = language
            response.save(update_fields=["language"])
    return response


def missing(response: Response) -> list[Question]:
    answered = set(response.answers.values_list("question_id", flat=True))
    return [
        q for q in response.invitation.survey.questions.all() if q.required and q.pk not in answered
    ]


def submit(invitation: Invitation, data: Mapping[str, str], language: str) -> Response:
    """Save the last answers and submit. Raises AlreadyAnswered, BadAnswer (with the
    unanswered required questions named)."""
    # Saved first, on its own: what was typed is kept even when the submit is refused.
    response = save(invitation, data, language)
    with transaction.atomic():
        response = Response.objects.select_for_update().get(pk=response.pk)
        if response.submitted_at is not None:
            raise AlreadyAnswered
        gaps = missing(response)
        if gaps:
            raise BadAnswer("required: " + ", ".join(field(q) for q in gaps))
        response.submitted_at = timezone.now()
        response.save(update_fields=["submitted_at"])
        outcomes.after_submit(response)
    return response
