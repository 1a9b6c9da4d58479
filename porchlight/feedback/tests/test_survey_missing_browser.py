"""On a phone and a desktop, in English and Spanish: a survey sent without its required answer
names that question at the top, the link jumps to it, and the question says what it needs; the
safety question's scale reads "not safe at all" to "very safe". axe and a screenshot."""

from __future__ import annotations

from typing import Any

import pytest

from porchlight.feedback.models import About, Question
from porchlight.feedback.tests.calls import cleared_call, survey_path
from standins.browser import DESKTOP, PHONE, look

SEND = {"en": "Send", "es": "Enviar"}
NEEDS = {"en": "This question needs an answer.", "es": "Esta pregunta necesita una respuesta."}
SAFE = {"en": "5 = very safe", "es": "5 = muy seguro"}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], indirect=True, ids=["phone", "desktop"])
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_the_missing_question_is_named_and_one_tap_away(
    page: Any, live_server: Any, agency: Any, viewport: Any, lang: str
) -> None:
    call = cleared_call(agency, language=lang)
    overall = Question.objects.get(survey__agency=agency, about=About.OVERALL)
    safety = Question.objects.get(survey__agency=agency, about=About.SAFETY)
    page.goto(live_server.url + survey_path(call))
    assert SAFE[lang] in page.locator(f"#q{safety.pk}-q").inner_text()
    with page.expect_navigation():
        page.get_by_role("button").filter(has_text=SEND[lang]).click()

    summary = page.locator("[role=alert]")
    link = summary.locator(f"a[href='#q{overall.pk}-q']")
    assert link.inner_text() == overall.text(lang)
    look(page, f"survey-missing-{lang}-{viewport['width']}")
    link.click()
    page.wait_for_url(f"**#q{overall.pk}-q")
    group = page.locator(f"#q{overall.pk}-q")
    assert group.is_visible() and NEEDS[lang] in group.inner_text()
    assert page.locator(".survey-error").count() == 1
    # The question is what the page now shows at the top (a fieldset's box starts a hair
    # below its legend, so the scrolled-to top may be a fraction of a pixel above 0).
    top = group.evaluate("el => el.getBoundingClientRect().top")
    assert -1 < top < viewport["height"] / 2
