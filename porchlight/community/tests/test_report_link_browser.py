"""From the community's front page, on a phone and a desktop, in English and Spanish, the
notice beside the non-emergency number leads to the online report form, in the same language.
axe and a screenshot on both pages."""

from __future__ import annotations

import re
from typing import Any

import pytest

from standins.browser import DESKTOP, PHONE, look, switch_language

WORDS = {"en": "Report a crime online", "es": "Reporte un delito en línea"}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], indirect=True, ids=["phone", "desktop"])
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_the_community_notice_leads_to_the_report_form(
    page: Any, live_server: Any, agency: Any, viewport: Any, lang: str
) -> None:
    page.goto(f"{live_server.url}/n/bakersfield/")
    switch_language(page, lang)
    notice = page.locator(".community-911")
    look(page, f"community-report-link-{lang}-{viewport['width']}")
    with page.expect_navigation():
        notice.get_by_role("link", name=WORDS[lang]).click()
    page.wait_for_url(re.compile(r"/report/bakersfield/$"))
    assert page.get_attribute("html", "lang") == lang
    look(page, f"report-choose-from-community-{lang}-{viewport['width']}")
