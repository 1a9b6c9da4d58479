"""A request that carries the sign-in's old session cookie does not sign the person out.

Signing in replaces the session (a new key, the old row deleted). A request the browser sent
with the old cookie a moment before (the service worker fetching the offline page it keeps,
pwa.js registering it on every page; any second tab) reaches a session that no longer exists.
Django's SessionMiddleware answered it by deleting the session cookie, and when that answer
arrived after the sign-in's, the browser dropped the new cookie too: signed in, then sent
back to the sign-in page on the next click (CI saw it once as a flaky admin test).

The race is made deterministic here: the old key is read between the password and the code,
and after signing in the context sends one request with it, through Playwright's request
client, which shares the browser's cookie jar as the service worker's fetch does.
"""

import re

import pytest

from standins.browser import DESKTOP, PHONE, look, make_staff, switch_language, totp_code

VIEWPORTS = pytest.mark.parametrize(
    "viewport", [DESKTOP, PHONE], indirect=True, ids=["desktop", "phone"]
)


def session_key(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")


@VIEWPORTS
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_an_old_cookie_answered_late_keeps_the_new_sign_in(
    page, live_server, agency, viewport, lang
):
    login = make_staff(agency, role="admin")
    page.goto(f"{live_server.url}/accounts/login/?next=/console/")
    switch_language(page, lang)
    page.fill("input[name=login]", login.user.get_username())
    page.fill("input[name=password]", login.password)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    old = session_key(page)
    page.fill("input[name=code]", totp_code(login.secret))
    page.press("input[name=code]", "Enter")
    page.wait_for_url(re.compile(r"/console/$"))
    new = session_key(page)
    assert new != old  # signing in rotated the key

    # The late answer to a request sent with the old cookie: the offline page the service
    # worker keeps, and the worker's own script.
    for path in ("/offline/", "/sw.js"):
        answer = page.context.request.get(
            f"{live_server.url}{path}", headers={"Cookie": f"sessionid={old}"}
        )
        assert answer.ok, (path, answer.status)
        assert session_key(page) == new, f"the answer to {path} dropped the new session cookie"

    page.goto(f"{live_server.url}/console/")
    assert re.search(r"/console/$", page.url), page.url
    look(page, f"signed-in-after-stale-request-{viewport['width']}-{lang}")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [DESKTOP], indirect=True, ids=["desktop"])
def test_signing_out_still_deletes_the_cookie(page, live_server, agency, viewport):
    from standins.browser import staff_login

    login = make_staff(agency, role="admin")
    staff_login(page, live_server, login)
    page.goto(f"{live_server.url}/accounts/logout/")
    with page.expect_navigation():
        page.locator("main form[action='/accounts/logout/'] button[type=submit]").click()
    assert not [c for c in page.context.cookies() if c["name"] == "sessionid" and c["value"]]
    page.goto(f"{live_server.url}/console/")
    assert "/accounts/login/" in page.url
