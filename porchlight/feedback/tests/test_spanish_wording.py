"""A caller who speaks Spanish reads the survey in Spanish, every question of it.

Why English showed: the page takes each question's stored wording (Question.text_es), not a
translation catalogue, and falls back to the English one where the Spanish is blank. The
agency's default questions carry both (defaults.QUESTIONS); a question or introduction staff
wrote in the admin could be saved with no Spanish, and then showed in English in the middle of
a Spanish survey. Now the admin asks for the Spanish wording, and the staff pages show the
wording in the console's language (they showed the English one to a Spanish console)."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.conf import settings

from porchlight.feedback.admin import QuestionForm, SurveyForm
from porchlight.feedback.defaults import QUESTIONS
from porchlight.feedback.models import FollowUp, Invitation, Kind, Question, Survey
from porchlight.feedback.tests.calls import CLEARED, NEXT_DAY, answer, cleared_call, survey_path


def question_form(**data: str) -> QuestionForm:
    fields = {"position": "10", "kind": Kind.RATING, "about": "", "text_en": "Was it quick?"}
    return QuestionForm(data={**fields, **data})


def test_a_question_needs_its_spanish_wording():
    form = question_form()
    assert not form.is_valid() and "text_es" in form.errors
    assert question_form(text_es="¿Fue rápido?").is_valid()
    choice = {"kind": Kind.CHOICE, "text_es": "¿Cómo llegó?", "choices_en": "Car\nBus"}
    assert not question_form(**choice).is_valid()
    assert question_form(**choice, choices_es="Coche\nAutobús").is_valid()


@pytest.mark.django_db
def test_a_survey_needs_its_spanish_introduction(agency):
    data = {"agency": agency.pk, "name": "After a case", "enabled": "on", "when": "case_closed",
            "delay_hours": "24", "sample_percent": "100", "call_types_off": "[]",
            "intro_en": "Tell us how we did."}  # fmt: skip
    form = SurveyForm(data=data)
    assert not form.is_valid() and "intro_es" in form.errors
    assert SurveyForm(data={**data, "intro_es": "Díganos cómo lo hicimos."}).is_valid()


@pytest.mark.django_db
def test_a_spanish_caller_reads_every_question_in_spanish(client, agency):
    with time_machine.travel(CLEARED, tick=False):
        call = cleared_call(agency, language="es")
    survey = Invitation.objects.get(call=call).survey
    Question.objects.create(
        survey=survey, position=99, kind=Kind.CHOICE, text_en="How did you reach us?",
        text_es="¿Cómo nos contactó?", choices_en="Phone\nWeb", choices_es="Teléfono\nWeb",
    )  # fmt: skip
    with time_machine.travel(NEXT_DAY, tick=False):
        html = client.get(survey_path(call)).content.decode()
    shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    for _about, _kind, _required, en, es in QUESTIONS:
        assert es in shown and en not in shown
    assert "¿Cómo nos contactó?" in shown and "Teléfono" in shown
    assert "How did you reach us?" not in shown and "Phone" not in shown
    assert survey.intro_es in shown and survey.intro_en not in shown


@pytest.mark.django_db
def test_staff_read_the_wording_in_the_consoles_language(client, agency, staff_client):
    with time_machine.travel(CLEARED, tick=False):
        call = cleared_call(agency, language="es")
    answer(client, call, overall="1", different="Tardaron mucho")
    admin = staff_client("admin")
    admin.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    overall = Survey.objects.get(agency=agency).questions.get(about="overall")
    for path in ("/console/feedback/?since=2026-11-01&until=2026-11-30",
                 f"/console/feedback/follow-ups/{FollowUp.objects.get().pk}/"):  # fmt: skip
        page = admin.get(path).content.decode()
        assert overall.text_es in page and overall.text_en not in page, path
