"""The survey in a real Chromium at phone width, in English and Spanish, checked by axe, with
the app's CSP on: answers are saved as the person goes (a reload keeps them), one submit, and
the link then shows the thanks page. No cookie is ever set."""

import pytest

from porchlight.feedback.models import Response
from porchlight.feedback.tests.calls import cleared_call, survey_path
from standins.browser import PHONE, look

ON_A_PHONE = pytest.mark.parametrize("viewport", [PHONE], indirect=True, ids=["phone"])


@ON_A_PHONE
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_a_caller_answers_the_survey_on_a_phone(page, live_server, agency, viewport, lang):
    call = cleared_call(agency, language=lang)
    path = survey_path(call)
    page.goto(live_server.url + path)
    assert page.get_attribute("html", "lang") == lang
    heading = "How did we do?" if lang == "en" else "¿Cómo lo hicimos?"
    assert page.locator("h1").inner_text() == heading
    assert "26-020001" in page.locator("main").inner_text()
    look(page, f"survey-phone-{lang}")

    overall = "Overall" if lang == "en" else "En general"
    group = page.locator("fieldset", has_text=overall)
    with page.expect_response(lambda r: r.request.method == "POST") as saved:
        group.get_by_label("5", exact=False).last.check()
    assert saved.value.status == 204
    status = "Saved." if lang == "en" else "Guardado."
    page.wait_for_function(
        "s => document.querySelector('.survey-saved').textContent === s", arg=status
    )
    page.locator("textarea").last.fill("Gracias, muy amable" if lang == "es" else "Thank you!")
    page.wait_for_timeout(1200)  # the text is saved after a pause in typing

    # Left and come back: what was given is still there.
    page.reload()
    assert page.locator("fieldset", has_text=overall).locator("input[value='5']").is_checked()
    assert page.locator("textarea").last.input_value() != ""
    assert Response.objects.get().submitted_at is None

    # Asked for a supervisor's call: the thanks page says one will get in touch.
    contact = "supervisor to contact" if lang == "en" else "un supervisor se comunique"
    yes = page.locator("fieldset", has_text=contact).locator("input[value='yes']")
    with page.expect_response(lambda r: r.request.method == "POST"):
        yes.check()

    page.get_by_role("button").filter(has_text="Send" if lang == "en" else "Enviar").click()
    thanks = "Thank you" if lang == "en" else "Gracias"
    assert page.locator("h1").inner_text() == thanks
    promise = (
        "a supervisor has your request" if lang == "en" else "un supervisor tiene su solicitud"
    )
    assert promise in page.locator("main").inner_text()
    look(page, f"survey-thanks-phone-{lang}")
    assert Response.objects.get().submitted_at is not None
    assert page.context.cookies() == []

    # The link took its one response: opening it again shows the thanks, not the form.
    page.goto(live_server.url + path)
    assert page.locator("form.survey-form").count() == 0


@ON_A_PHONE
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_a_missing_required_answer_is_explained_on_a_phone(
    page, live_server, agency, viewport, lang
):
    call = cleared_call(agency, language=lang)
    page.goto(live_server.url + survey_path(call))
    with page.expect_navigation():
        page.get_by_role("button").filter(has_text="Send" if lang == "en" else "Enviar").click()
    assert page.locator("[role=alert]").count() == 1
    look(page, f"survey-required-phone-{lang}")
