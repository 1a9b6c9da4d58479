"""A rating's ends are worded for what it asks: "How safe do you feel?" runs from "not safe at
all" to "very safe", not from "poor" to "excellent"; the other ratings keep poor/excellent."""

from __future__ import annotations

import re
from typing import Any

import pytest

from porchlight.feedback.models import About, Question
from porchlight.feedback.tests.calls import cleared_call, survey_path

WORDS = {
    "en": ("not safe at all", "very safe", "poor", "excellent"),
    "es": ("nada seguro", "muy seguro", "malo", "excelente"),
}


def _group(page: str, question: Question) -> str:
    start = page.index(f'name="q{question.pk}"')
    start = page.rindex("<fieldset", 0, start)
    return page[start : page.index("</fieldset>", start)]


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_safety_scale_says_safe(client: Any, agency: Any, lang: str) -> None:
    call = cleared_call(agency, language=lang)
    page = client.get(survey_path(call)).content.decode()
    safety = Question.objects.get(survey__agency=agency, about=About.SAFETY)
    overall = Question.objects.get(survey__agency=agency, about=About.OVERALL)
    low, high, poor, excellent = WORDS[lang]
    group = re.sub(r"\s+", " ", _group(page, safety))
    assert f"1 = {low}" in group and f"5 = {high}" in group
    assert poor not in group and excellent not in group
    group = _group(page, overall)
    assert f"1 = {poor}" in group and f"5 = {excellent}" in group
