"""The detective's case page in a real browser, on a phone, in English and Spanish, with axe
checking each screen: open my cases, open the case, send the victim a note, close the case."""

import pytest

from porchlight.cases import status as case_status
from porchlight.cases.models import Term
from porchlight.cases.open import open_case
from porchlight.notify.models import Outbox, Trigger
from standins.browser import PHONE, look, make_staff, staff_login, switch_language


@pytest.mark.parametrize("viewport", [PHONE], indirect=True, ids=["phone"])
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_the_detective_sends_a_note_and_closes_the_case(page, live_server, agency, viewport,
                                                        lang):  # fmt: skip
    login = make_staff(agency, role="detective", username="mlopez")
    case = open_case(agency, source="online", offense_code="23F",
                     offense="Theft from motor vehicle, 2300 block of Chester Ave",
                     occurred_at=None, address="", lat=None, lon=None,
                     reporter_phone="+16615550199", language=lang)  # fmt: skip
    case_status.assign(case, name="Maria Lopez", title="Det.", unit="Property Crimes",
                       phone="661-555-0142", staff=login.user.staff, at=case.created,
                       source="console")  # fmt: skip
    staff_login(page, live_server, login)
    switch_language(page, lang)
    page.goto(f"{live_server.url}/console/cases/")
    assert page.locator("h1").inner_text() == ("My cases" if lang == "en" else "Mis casos")
    look(page, f"cases-mine-phone-{lang}")
    # The table's caption spans the stacked cards, not a narrow column beside them.
    caption = page.locator("main table.stack caption")
    assert caption.evaluate(
        "c => c.getBoundingClientRect().width >= c.closest('table').getBoundingClientRect().width - 1"
    )

    with page.expect_navigation():
        page.locator(f"a[href='/console/cases/{case.pk}/']").click()
    look(page, f"cases-case-phone-{lang}")
    page.fill("textarea[name=text]", "We found your bicycle. Please call me.")
    page.check("input[name=public]")
    with page.expect_navigation():
        page.locator("form[action$='/note/'] button").click()
    assert "We found your bicycle" in page.locator("main").inner_text()
    assert Outbox.objects.filter(trigger=Trigger.CASE_NOTE).count() == 1
    look(page, f"cases-note-phone-{lang}")

    page.select_option("select[name=term]", Term.CLEARED_ARREST)
    with page.expect_navigation():
        page.locator("form[action$='/status/'] button").click()
    case.refresh_from_db()
    assert case.closed_at is not None
    assert Outbox.objects.filter(trigger=Trigger.CASE_CLOSED).count() == 1
    look(page, f"cases-closed-phone-{lang}")
