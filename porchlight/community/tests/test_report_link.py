"""Every community page links the agency's online report form beside the non-emergency number
(C7: the disclaimers show where to file a report). The link looked the form up by a URL name
the reports app never had, so it was silently left out of every page."""

from __future__ import annotations

from typing import Any

import pytest

from porchlight.community.tests.factories import make_resident

LINK = '<a href="/report/bakersfield/">'


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "words"), [("en", "Report a crime online"),
                                             ("es", "Reporte un delito en línea")])  # fmt: skip
def test_community_pages_link_the_report_form(
    client: Any, agency: Any, lang: str, words: str
) -> None:
    html = client.get("/n/bakersfield/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert f"{LINK}{words}</a>" in html
    client.force_login(make_resident(agency, "ana@example.org").user)
    html = client.get("/n/bakersfield/feed/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert f"{LINK}{words}</a>" in html
    # The form it leads to is there.
    assert client.get("/report/bakersfield/").status_code == 200
