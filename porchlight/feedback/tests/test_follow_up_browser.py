"""The follow-up console in a real browser: a supervisor signs in with a real TOTP code, finds
the follow-up from their beat, takes it, notes what was done and resolves it, telling the
person; on a phone and a desktop, in English and Spanish, with axe on every screen."""

import pytest

from porchlight.feedback import answers
from porchlight.feedback.models import BeatSupervisor, FollowUp, Invitation
from porchlight.feedback.tests.calls import cleared_call
from porchlight.notify.models import Outbox, Trigger
from standins.browser import (
    DESKTOP,
    PHONE,
    look,
    make_staff,
    staff_login,
    switch_language,
)

VIEWPORTS = pytest.mark.parametrize(
    "viewport", [DESKTOP, PHONE], indirect=True, ids=["desktop", "phone"]
)


@VIEWPORTS
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_a_supervisor_resolves_a_follow_up(page, live_server, agency, viewport, lang):
    call = cleared_call(agency)
    invitation = Invitation.objects.get(call=call)
    q = {x.about: answers.field(x) for x in invitation.survey.questions.all()}
    answers.submit(
        invitation,
        {q["overall"]: "1", q["different"]: "Nobody called back. My number is 661-555-0188."},
        "en",
    )
    item = FollowUp.objects.get()
    login = make_staff(agency, role="supervisor", username="sgt")
    BeatSupervisor.objects.create(agency=agency, beat="B12", user=login.user)
    tag = f"{'phone' if viewport == PHONE else 'desktop'}-{lang}"

    staff_login(page, live_server, login)
    switch_language(page, lang)
    page.goto(f"{live_server.url}/console/feedback/follow-ups/")
    assert page.get_attribute("html", "lang") == lang
    look(page, f"follow-ups-{tag}")

    with page.expect_navigation():
        page.locator(f"a[href='/console/feedback/follow-ups/{item.pk}/']").click()
    main = page.locator("main").inner_text()
    assert "661-555-0188" not in main
    look(page, f"follow-up-{tag}")

    with page.expect_navigation():
        page.locator("input[name=action][value=take] + p button").click()
    page.fill("#note-text", "Called back, apologised for the wait.")
    page.locator("#note-text").press("Tab")
    with page.expect_navigation():
        page.locator("form:has(#note-text) button").click()
    assert "apologised" in page.locator("main").inner_text()
    with page.expect_navigation():
        page.locator("form:has(input[value=resolve]) button").click()
    look(page, f"follow-up-resolved-{tag}")

    item.refresh_from_db()
    assert item.status == FollowUp.Status.RESOLVED and item.owner == login.user
    assert Outbox.objects.filter(trigger=Trigger.FOLLOW_UP).count() == 1
