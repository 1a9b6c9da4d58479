"""A records export gives each survey answer with the question as the person read it (their
language), beside the English wording and the language: a Spanish speaker's export used to
show English questions they were never asked."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from porchlight.feedback import answers
from porchlight.feedback.models import About, Invitation
from porchlight.feedback.tests.calls import cleared_call
from porchlight.operations import records


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_question_is_in_the_language_it_was_asked(agency: Any, lang: str) -> None:
    call = cleared_call(agency, "26-020001", phone="661-555-0142", language=lang)
    invitation = Invitation.objects.get(call=call)
    overall = invitation.survey.questions.get(about=About.OVERALL)
    answers.submit(invitation, {answers.field(overall): "4"}, lang)

    export = records.build(records.find(agency, phone="661-555-0142"))
    (row,) = [r for r in export.tables["survey_responses"] if r["number"] == 4]
    assert row["question"] == overall.text(lang)
    assert row["question_en"] == overall.text_en
    assert row["language"] == lang
    if lang == "es":
        assert row["question"].startswith("En general, ¿qué tan satisfecho")
    # The CSV has the columns too.
    with zipfile.ZipFile(io.BytesIO(export.zip_bytes())) as archive:
        header = archive.read("survey_responses.csv").decode().splitlines()[0]
    assert "question,question_en,language" in header
