"""The audit log page on a phone, in English and Spanish: sign in with the authenticator app,
open it from the console's menu, filter, and find the entry; axe and the width are checked."""

from __future__ import annotations

import re
from typing import Any

import pytest

from porchlight.agencies.models import Role
from porchlight.audit.models import AuditEntry
from standins.browser import (
    PHONE,
    look,
    make_staff,
    open_console_menu,
    staff_login,
    switch_language,
)

HEADINGS = {"en": "Audit log", "es": "Registro de auditoría"}


@pytest.mark.parametrize("viewport", [PHONE], indirect=True, ids=["phone"])
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_read_and_filter_the_audit_log(
    page: Any, live_server: Any, agency: Any, viewport: Any, lang: str
) -> None:
    for n in range(3):
        AuditEntry(
            agency=agency, actor_label=f"officer-{n}", action="case.note",
            target_type="cases.case", target_id=str(40 + n), ip="203.0.113.7",
            user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", changes={"field": "note"},
        ).save(force_insert=True)  # fmt: skip
    AuditEntry(
        agency=agency, actor_label="mod-kim", action="pii.viewed",
        target_type="community.resident", target_id="9", ip="198.51.100.23",
        changes={"what": "resident identity"},
    ).save(force_insert=True)  # fmt: skip
    login = make_staff(agency, role=Role.SUPERVISOR, username="sup")
    staff_login(page, live_server, login)
    switch_language(page, lang)
    open_console_menu(page)
    page.get_by_role("link", name=HEADINGS[lang]).click()
    page.wait_for_url(re.compile(r"/console/audit/$"))
    assert page.locator("h1").inner_text() == HEADINGS[lang]
    assert page.locator("html").get_attribute("lang") == lang
    look(page, f"audit-log-{lang}-phone")
    page.locator("#id_personal").check()
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"personal=on"))
    rows = page.locator("table.stack tbody tr")
    assert rows.count() == 1
    assert "mod-kim" in rows.first.inner_text() and "198.51.100.23" in rows.first.inner_text()
    look(page, f"audit-log-filtered-{lang}-phone")
