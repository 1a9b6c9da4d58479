"""The intake console in a real browser: the journey from a held event to a resolved one.

Sign in with a real TOTP code, open the quarantine, open the item, add the missing CAD status
mapping, replay the item and see it resolved; on a desktop and on a phone, in English and in
Spanish, with axe checking every screen and the app's CSP left on.
"""

import pytest

from porchlight.calls.intake import Feed, ingest
from porchlight.calls.models import Call, Quarantine
from standins.browser import (
    DESKTOP,
    PHONE,
    look,
    make_staff,
    open_console_menu,
    staff_login,
    switch_language,
)
from standins.builders import cad_event

VIEWPORTS = pytest.mark.parametrize(
    "viewport", [DESKTOP, PHONE], indirect=True, ids=["desktop", "phone"]
)


@VIEWPORTS
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_map_a_missing_status_and_replay_the_held_event(page, live_server, agency, viewport, lang):
    outcomes, _ = ingest(
        Feed(agency=agency, source="cad", covered={agency.ori: agency}),
        [
            cad_event(
                1, status="DISP", caller={"phone": "661-555-0100", "email": "maria@example.org"}
            )
        ],
    )
    assert outcomes[0].result == "rejected"
    item = Quarantine.objects.get()
    login = make_staff(agency, role="admin")
    tag = f"{'phone' if viewport == PHONE else 'desktop'}-{lang}"

    staff_login(page, live_server, login)
    switch_language(page, lang)
    assert page.get_attribute("html", "lang") == lang
    look(page, f"console-home-{tag}")

    open_console_menu(page)
    page.locator("nav a[href='/console/quarantine/']").click()
    assert page.locator("h1").inner_text() == ("Quarantine" if lang == "en" else "Cuarentena")
    # The reason in the page's language; the stored code stays 'unknown status "DISP": …'.
    reason = 'Unknown status "DISP"' if lang == "en" else 'Estado desconocido "DISP"'
    assert reason in page.locator("main").inner_text()
    look(page, f"quarantine-list-{tag}")

    page.locator(f"a[href='/console/quarantine/{item.pk}/']").click()
    body = page.locator("pre").inner_text()
    assert "…0100" in body and "m…@example.org" in body and "555-0100" not in body
    look(page, f"quarantine-detail-{tag}")

    page.locator("a[href='/console/status-codes/new/?code=DISP']").click()
    assert page.input_value("#id_code") == "DISP"
    page.select_option("#id_status", "dispatched")
    look(page, f"status-code-new-{tag}")
    page.locator("form.edit button[type=submit]").click()
    page.wait_for_url("**/console/status-codes/*/")
    look(page, f"status-code-saved-{tag}")

    with page.expect_navigation():
        page.locator("form[action='/console/quarantine/replay/'] button").click()
    success = page.locator(".msg-success").inner_text()
    assert success == (
        "1 event replayed and resolved." if lang == "en" else "1 evento reprocesado y resuelto."
    )
    look(page, f"status-code-replayed-{tag}")

    item.refresh_from_db()
    assert item.state == Quarantine.State.REPLAYED
    assert Call.objects.get().status == "dispatched"
    page.goto(f"{live_server.url}/console/quarantine/{item.pk}/")
    assert page.locator(".facts .badge").inner_text() == (
        "Replayed" if lang == "en" else "Reprocesado"
    )
    look(page, f"quarantine-resolved-{tag}")


@pytest.mark.parametrize("viewport", [PHONE], indirect=True, ids=["phone"])
@pytest.mark.django_db(transaction=True)
def test_mapping_pages_and_a_form_error_pass_axe_on_a_phone(page, live_server, agency):
    ingest(
        Feed(agency=agency, source="cad", covered={agency.ori: agency}),
        [cad_event(1, call_type="LOIT", call_type_description="Loitering", priority="7X")],
    )
    login = make_staff(agency, role="admin")
    staff_login(page, live_server, login)
    for path, name in [
        ("/console/call-types/", "call-types"),
        ("/console/priority-codes/", "priority-codes"),
        ("/console/status-codes/", "status-codes"),
    ]:
        page.goto(live_server.url + path)
        look(page, f"{name}-phone-en")
    page.goto(live_server.url + "/console/call-types/")
    with page.expect_navigation():
        page.locator("a", has_text="LOIT").click()
    look(page, "call-type-edit-phone-en")
    page.goto(live_server.url + "/console/priority-codes/")
    with page.expect_navigation():
        page.locator("a", has_text="7X").click()
    page.fill("#id_rank", "12")
    with page.expect_navigation():
        page.locator("form.edit button[type=submit]").click()
    assert page.locator(".errorlist").count() == 1
    look(page, "priority-error-phone-en")


@VIEWPORTS
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_quarantine_row_checkboxes_and_the_menu_suit_a_thumb(
    page, live_server, agency, viewport, lang
):
    """The rows' checkboxes are 24 px targets at least (WCAG 2.5.8), not the browser's 13 px;
    on a phone the console's twenty links fold behind one "Menu" button that a keyboard opens,
    and on a desktop they stand in a row, with no button, as before."""
    ingest(
        Feed(agency=agency, source="cad", covered={agency.ori: agency}),
        [cad_event(1, status="DISP"), cad_event(2, status="XFER")],
    )
    staff_login(page, live_server, make_staff(agency, role="admin"))
    switch_language(page, lang)
    page.goto(f"{live_server.url}/console/quarantine/")
    tag = f"{'phone' if viewport == PHONE else 'desktop'}-{lang}"

    boxes = page.locator("td input[type=checkbox]")
    assert boxes.count() == 2
    for i in range(2):
        box = boxes.nth(i).bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24, box

    menu = page.locator("header.top details.menu")
    summary = menu.locator("summary")
    link = page.locator("header.top a[href='/console/quarantine/']")
    if viewport == PHONE:
        assert summary.inner_text().startswith("Menu" if lang == "en" else "Menú")
        assert not link.is_visible()
        # Brand and language on one line, the menu button on the next: no longer nine lines
        # of links before the page's heading.
        assert page.locator("header.top").bounding_box()["height"] < 130
        look(page, f"quarantine-menu-closed-{tag}")
        summary.focus()
        page.keyboard.press("Enter")
        assert menu.get_attribute("open") is not None and link.is_visible()
        look(page, f"quarantine-menu-open-{tag}")
        page.keyboard.press("Enter")
        assert not link.is_visible()
    else:
        assert not summary.is_visible()
        assert link.is_visible() and link.get_attribute("aria-current") == "page"
        look(page, f"quarantine-menu-{tag}")
    boxes.first.check()
    assert boxes.first.is_checked()
