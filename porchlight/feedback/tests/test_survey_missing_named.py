"""A survey sent without a required answer names the question that needs one, links to it, and
says so beside the question (WCAG 3.3.1: the item in error is identified), in the caller's
language; the other questions carry no error."""

from __future__ import annotations

import re
from typing import Any

import pytest

from porchlight.feedback.models import About, Question
from porchlight.feedback.tests.calls import cleared_call, survey_path

WORDS = {
    "en": ("This question needs an answer.", "Overall, how satisfied are you"),
    "es": ("Esta pregunta necesita una respuesta.", "En general, ¿qué tan satisfecho"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_missing_question_is_named_and_marked(client: Any, agency: Any, lang: str) -> None:
    call = cleared_call(agency, language=lang)
    overall = Question.objects.get(survey__agency=agency, about=About.OVERALL)
    r = client.post(survey_path(call), {})
    assert r.status_code == 400
    page = r.content.decode()
    needs, wording = WORDS[lang]
    alert = page[page.index('role="alert"') : page.index("</div>", page.index('role="alert"'))]
    # The summary links to the question by its words.
    assert f'href="#q{overall.pk}-q"' in alert and wording in alert
    # The question itself says it, and is described by that sentence.
    group = re.search(rf'<fieldset[^>]*id="q{overall.pk}-q"[^>]*>', page)
    assert group and f'aria-describedby="q{overall.pk}-error"' in group.group(0)
    assert page.count(needs) == 1
