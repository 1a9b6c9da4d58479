"""Browser tests: a real Chromium (Debian's), real logins with real TOTP codes, and axe-core.

Loaded by porchlight/conftest.py as a pytest plugin. A test asks for `page` (and `live_server`),
signs in with `staff_login`, and checks each screen with `check_a11y`. The viewport is the
`viewport` fixture, which tests parametrize indirectly with DESKTOP or PHONE.

The app's CSP stays on in every browser test: axe is injected through the DevTools protocol
(`page.evaluate`), which a page's CSP does not govern, rather than through a <script> tag, which
it does. So a test also proves the pages need no inline script or style: any CSP violation the
browser reports fails the test.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
ROOT = Path(__file__).resolve().parent.parent
AXE_JS = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"


@dataclass
class StaffLogin:
    user: Any
    password: str
    secret: str  # the TOTP secret, as an authenticator app would hold it


def make_staff(
    agency: Any, role: str = "admin", username: str = "sam", **user_fields: Any
) -> StaffLogin:
    """A user, their Staff membership and an activated TOTP authenticator, through allauth's API."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from porchlight.agencies.models import Staff

    password = secrets.token_urlsafe(16)
    email = user_fields.pop("email", f"{username}@{agency.slug}.example.org")
    user = get_user_model().objects.create_user(
        username=username, email=email, password=password, **user_fields
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    Staff.objects.create(user=user, agency=agency, role=role)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return StaffLogin(user, password, secret)


def make_superuser(username: str = "root", **user_fields: Any) -> StaffLogin:
    """A platform superuser with no agency (the all-agency views), with a verified email and an
    activated TOTP authenticator, as make_staff makes staff."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    password = secrets.token_urlsafe(16)
    email = user_fields.pop("email", f"{username}@example.org")
    user = get_user_model().objects.create_superuser(username, email, password, **user_fields)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return StaffLogin(user, password, secret)


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now, computed as RFC 6238 says (allauth's own HOTP)."""
    from allauth.mfa import app_settings

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} is missing: browser tests need Debian's Chromium (apt-get install chromium)",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def viewport(request: pytest.FixtureRequest) -> dict[str, int]:
    return getattr(request, "param", DESKTOP)


@pytest.fixture
def page(browser: Any, viewport: dict[str, int]) -> Iterator[Any]:
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    yield page
    context.close()
    assert not problems, "the browser reported:\n" + "\n".join(problems)


def a11y_problems(page: Any, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """axe-core's WCAG 2.0/2.1 A and AA findings of these impacts on the page, one line each."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text() + "\n;undefined")
    results = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    lines = []
    for v in results["violations"]:
        if v["impact"] in impacts:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
            lines.extend(
                f"    {node['target']}: {node['failureSummary']}" for node in v["nodes"][:5]
            )
    return lines


def check_a11y(page: Any, *, impacts: tuple[str, ...] = ("serious", "critical")) -> None:
    """Run axe-core (WCAG 2.0/2.1 A and AA rules) on the page; fail on serious or critical issues."""
    lines = a11y_problems(page, impacts=impacts)
    if lines:
        header = f"axe found serious or critical violation(s) on {page.url}:"
        pytest.fail("\n".join([header, *lines]), pytrace=False)


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page PNG under test-artifacts/ (gitignored), for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / (re.sub(r"[^A-Za-z0-9_.-]+", "-", name) + ".png")
    page.screenshot(path=str(path), full_page=True)
    return path


def fits_the_width(page: Any) -> bool:
    """Wide tables scroll inside their own box; the page itself never scrolls sideways."""
    # Measure a whole document: right after a navigation commits there is none yet.
    page.wait_for_function("() => document.readyState === 'complete' && document.body !== null")
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))


def look(page: Any, name: str) -> None:
    """The checks every screen of a journey gets: fits the width, passes axe, a screenshot."""
    assert fits_the_width(page), f"{name}: the page is wider than the screen"
    check_a11y(page)
    screenshot(page, name)


def staff_login(
    page: Any, live_server: Any, login: StaffLogin, next_path: str = "/console/"
) -> None:
    """Sign in through the real allauth pages: username and password, then a real TOTP code."""
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.fill("input[name=login]", login.user.get_username())
    page.fill("input[name=password]", login.password)
    # Enter submits the form the field is in, whatever the buttons beside it say.
    page.press("input[name=password]", "Enter")
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.fill("input[name=code]", totp_code(login.secret))
    page.press("input[name=code]", "Enter")
    page.wait_for_url(re.compile(re.escape(next_path) + r"$"))


def switch_language(page: Any, lang: str) -> None:
    """Choose the language with the site's own switcher, as a person would (a no-op for "en")."""
    if lang == "en":
        return
    page.select_option("#lang-select", lang)
    with page.expect_navigation():
        page.locator("form.lang button").click()


def open_console_menu(page: Any) -> None:
    """On a phone the console's links are behind its "Menu" button (console/base.html): open it
    as a person would. A no-op where the links show in a row (a desktop) or it is open."""
    summary = page.locator("header.top details.menu > summary")
    if summary.is_visible() and page.locator("header.top details.menu[open]").count() == 0:
        summary.click()


# The password community/tests/factories.make_resident gives every resident it makes.
RESIDENT_PASSWORD = "pw-Neighbor-42"


def resident_login(
    page: Any,
    live_server: Any,
    agency: Any,
    email: str,
    lang: str = "en",
    password: str = RESIDENT_PASSWORD,
) -> None:
    """Sign a resident in through the community's own sign-in page, having chosen the language
    there first with the site's switcher, as a person would (residents have no TOTP)."""
    page.goto(f"{live_server.url}/n/{agency.slug}/signin/")
    switch_language(page, lang)
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")


def client_login(client: Any, login: StaffLogin) -> None:
    """Sign a Django test client in through the same allauth pages, with a real TOTP code."""
    r = client.post(
        "/accounts/login/", {"login": login.user.get_username(), "password": login.password}
    )
    assert r.status_code == 302 and "/2fa/authenticate" in r["Location"], r
    r = client.post("/accounts/2fa/authenticate/", {"code": totp_code(login.secret)})
    assert r.status_code == 302, r


@pytest.fixture
def staff_client(client: Any, agency: Any) -> Any:
    """A factory: `staff_client("supervisor")` is the test client signed in as that role."""

    def sign_in(role: str = "admin", username: str | None = None, for_agency: Any = None) -> Any:
        login = make_staff(for_agency or agency, role=role, username=username or role)
        client_login(client, login)
        client.login_info = login
        return client

    return sign_in
