"""The victim's own pages in a real browser, on a phone, in English and Spanish, with axe checking
each screen: opting in to case updates with the card's codes and a texted one-time code, and
asking for a copy of the report, which records staff then move on from the console."""

import re

import pytest
from django.core.cache import cache

from porchlight.cases import optin
from porchlight.cases.models import CopyRequest, Victim
from porchlight.cases.tests.conftest import sent_text
from porchlight.notify.models import Outbox, Trigger
from standins.browser import PHONE, look, make_staff, staff_login, switch_language

ON_A_PHONE = pytest.mark.parametrize("viewport", [PHONE], indirect=True, ids=["phone"])


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()


@ON_A_PHONE
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_a_victim_opts_in_with_the_card_and_a_texted_code(page, live_server, make_case, viewport,
                                                          lang):  # fmt: skip
    case = make_case(reporter_phone="", reporter_email="")
    # The public case pages take the language from the link the officer's card prints.
    page.goto(f"{live_server.url}/cases/{case.agency.slug}/updates/?lang={lang}")
    look(page, f"cases-optin-start-phone-{lang}")

    page.fill("input[name=case_number]", case.number)
    page.fill("input[name=card_code]", optin.card_code(case))
    page.fill("input[name=phone]", "(661) 555-0177")
    page.select_option("select[name=language]", lang)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/updates/[^/?]+/(\?lang=\w+)?$"))
    look(page, f"cases-optin-code-phone-{lang}")

    row = Outbox.objects.get(trigger=Trigger.CASE_OPT_IN)
    assert row.language == lang
    # The code is the text's last six digits: the case number comes before it.
    code = re.findall(r"\b(\d{6})\b", sent_text(row))[-1]
    page.fill("input[name=code]", code)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert case.number in page.locator("main").inner_text()
    look(page, f"cases-optin-done-phone-{lang}")

    victim = Victim.objects.get(case=case)
    assert victim.opted_in and victim.language == lang
    assert Outbox.objects.filter(trigger=Trigger.CASE_OPENED, contact=victim.phone).exists()


@ON_A_PHONE
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_a_copy_request_reaches_records_staff_and_the_requester_hears_back(
    page, live_server, agency, make_case, viewport, lang
):
    case = make_case(reporter_phone="", reporter_email="")
    page.goto(f"{live_server.url}/cases/{agency.slug}/report-copy/?lang={lang}")
    look(page, f"cases-copy-form-phone-{lang}")
    page.fill("input[name=case_number]", case.number)
    page.fill("input[name=phone]", "(661) 555-0188")
    page.select_option("select[name=language]", lang)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    look(page, f"cases-copy-done-phone-{lang}")
    copy = CopyRequest.objects.get()
    assert copy.case == case and copy.status == CopyRequest.Status.RECEIVED

    page.context.clear_cookies()
    records = make_staff(agency, role="records", username="records1")
    staff_login(page, live_server, records, next_path="/console/cases/copies/")
    switch_language(page, lang)
    assert case.number in page.locator("main").inner_text()
    look(page, f"cases-copies-console-phone-{lang}")
    page.select_option(f"#status-{copy.pk}", CopyRequest.Status.READY)
    with page.expect_navigation():
        page.locator(f"form[action$='/copies/{copy.pk}/'] button").click()
    copy.refresh_from_db()
    assert copy.status == CopyRequest.Status.READY
    assert Outbox.objects.filter(trigger=Trigger.COPY_REQUEST, language=lang).exists()
