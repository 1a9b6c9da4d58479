"""The Django admin in a real browser, under the app's CSP, with axe at the console's level:
the call types list, a call type's change form and the admin index, in English and Spanish, on
a desktop and a phone. (The rule editor has its own journey: notify/tests/test_rule_admin_browser.py.)
"""

import re

import pytest
from playwright.sync_api import expect

from porchlight.calls.models import CallType
from standins.browser import DESKTOP, PHONE, look, make_staff, staff_login


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], indirect=True, ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_admin_list_and_change_form_pass_axe(page, live_server, agency, viewport, lang):
    burglary = CallType.objects.get(agency=agency, code="459R")
    login = make_staff(agency, role="admin")
    login.user.is_staff = True  # the Django admin's own gate
    login.user.save()
    tag = f"{'phone' if viewport == PHONE else 'desktop'}-{lang}"
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])

    staff_login(page, live_server, login, next_path="/admin/")
    assert page.get_attribute("html", "lang") == lang
    look(page, f"admin-index-{tag}")

    page.goto(f"{live_server.url}/admin/calls/calltype/")
    expect(page.locator("h1")).to_have_text(
        "Select call type to change" if lang == "en" else "Seleccione tipo de llamada a modificar"
    )
    # Breadcrumb links are underlined, not told apart from the "›" between them by colour alone.
    crumb = page.locator("div.breadcrumbs a").first
    assert "underline" in crumb.evaluate("a => getComputedStyle(a).textDecorationLine")
    expect(page.locator("div.breadcrumbs")).to_contain_text(
        "Call types" if lang == "en" else "Tipos de llamada"
    )
    look(page, f"admin-call-types-{tag}")

    page.locator(f"a[href='/admin/calls/calltype/{burglary.pk}/change/']").first.click()
    page.wait_for_url(re.compile(rf"/admin/calls/calltype/{burglary.pk}/change/$"))
    look(page, f"admin-call-type-change-{tag}")
