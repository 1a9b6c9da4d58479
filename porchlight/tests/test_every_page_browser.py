"""Every page each role can reach, and the public pages, at 390 px in English and Spanish.

Pages are found, not listed: the crawl starts from the landing pages (the console, the admin
index, the start page, and the links a caller is sent: a tracking page, an email unsubscribe
page, the development inbox) and follows every same-origin link it finds, so a new page is
covered as soon as something links to it. To stay within a few minutes it visits one page per
URL shape (digits stand for ids: one change form per admin model, one quarantine item, one call
type), skips links with a query string (filters, sorting, later pages of a list: the same
template again), and never follows sign-out or delete links. Each role crawls on its own
session, from the most privileged down; a page shape an earlier role already checked is not
loaded again (a lesser role sees the same template with fewer controls), but each role's
landing pages are, so a page only a lesser role reaches is still found. axe runs once per page
shape; the width and `lang` checks on every visit, in both languages.

A page fails on:
- horizontal overflow: the page scrolls sideways, or an element reaches past the screen's
  right edge. A wide table inside its own scrolling box (.table-wrap, the admin's result
  lists) is allowed, as WCAG 1.4.10 allows for data tables, but a form control in it that
  starts out of view is not (the Messages page's Resume button was cut off that way);
- any serious or critical axe violation;
- an <html> without the page's language.
Screenshots of every page go to test-artifacts/every-page-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from porchlight.agencies.models import Staff
from porchlight.calls.intake import Feed, ingest
from porchlight.calls.models import Call
from porchlight.calls.track import link_for
from porchlight.notify import unsubscribe
from porchlight.notify.channels.dev import DevInbox
from porchlight.notify.models import Channel, Hold, Outbox
from porchlight.notify.worker import Worker
from standins.browser import (
    ARTIFACTS,
    PHONE,
    a11y_problems,
    make_staff,
    screenshot,
    staff_login,
)
from standins.builders import cad_event

ROLES = ["platform", "admin", "supervisor", "detective", "community", "records", "readonly"]
LANGUAGES = ["en", "es"]
# Far above what the crawl finds today (about 60 page shapes); reaching it means the crawl has
# started to wander (a link that makes new URLs on every visit), which a person should look at.
MAX_PAGES = 200

# Never followed: they sign out, delete, or are not pages.
_SKIP = re.compile(r"logout|/delete/|/history/|^/static/|^/media/|^/i18n/|^/metrics|^/healthz")
# What counts as "the same page" twice: ids and tokens replaced by a placeholder.
_ID = re.compile(r"/\d+/")
_TOKEN = re.compile(r"^/(t|notify/email/unsubscribe)/[^/]+")

# Horizontal overflow, measured in the page: what the page itself scrolls, elements past the
# right edge, and form controls cut off by the scrolling box they sit in.
_OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  if (document.documentElement.scrollWidth > width) {
    problems.push(`the page scrolls sideways (${document.documentElement.scrollWidth}px wide)`);
  }
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (el.classList.length) s += '.' + [...el.classList].join('.');
    const text = (el.innerText || el.value || '').trim().slice(0, 40);
    return text ? `${s} "${text}"` : s;
  };
  const clipper = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return a;
    }
    return null;
  };
  const controls = 'button, input:not([type=hidden]), select, textarea';
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.position === 'fixed') continue;
    const inside = clipper(el);
    if (inside === null) {
      if (box.right > width + 1) problems.push(`${name(el)} reaches ${Math.round(box.right)}px`);
    } else if (el.matches(controls)) {
      const frame = inside.getBoundingClientRect();
      if (frame.width > 2 && (box.right > frame.right + 1 || box.left < frame.left - 1)) {
        problems.push(`${name(el)} is cut off by its scrolling box ${name(inside)}`);
      }
    }
  }
  return problems.slice(0, 10);
}"""


def _shape(path: str) -> str:
    path = _TOKEN.sub(lambda m: f"/{m.group(1)}/<token>", path)
    while _ID.search(path):
        path = _ID.sub("/<n>/", path)
    return path


@contextmanager
def _session(browser: Any, lang: str) -> Iterator[Any]:
    """A phone-sized browser session in `lang`, failing on script errors and CSP violations."""
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            errors.append(f"console error: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    page.language_errors = errors
    try:
        yield page
    finally:
        context.close()


def _set_language(page: Any, base: str, lang: str) -> None:
    # The cookie the site's own language switch sets (Django's set_language).
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": base}])


class Crawl:
    def __init__(self, base: str) -> None:
        self.base = base
        self.problems: list[str] = []
        self.axed: set[str] = set()
        self.shot: set[tuple[str, str]] = set()
        self.pages: set[str] = set()
        self.visited: set[tuple[str, str]] = set()

    def run(self, page: Any, who: str, lang: str, seeds: list[str]) -> None:
        seen: set[str] = set()
        queue = list(seeds)
        while queue:
            path = queue.pop(0)
            shape = _shape(path)
            if shape in seen:
                continue
            seen.add(shape)
            if (shape, lang) in self.visited and path not in seeds:
                # Checked already, for a role that reaches at least as much (the roles run
                # from the most to the least privileged; a lesser role sees the same template
                # with fewer controls). Its landing pages are always loaded, for their links.
                continue
            assert len(seen) <= MAX_PAGES, f"{who}: more than {MAX_PAGES} pages; see MAX_PAGES"
            self.pages.add(shape)
            self.visited.add((shape, lang))
            queue.extend(self.visit(page, who, lang, path, shape))

    def visit(self, page: Any, who: str, lang: str, path: str, shape: str) -> list[str]:
        where = f"{who}/{lang} {path}"
        response = page.goto(self.base + path)
        page.wait_for_load_state("load")
        status = response.status if response is not None else 0
        landed = urlsplit(page.url).path
        if status >= 500:
            self.problems.append(f"{where}: HTTP {status}")
            return []
        if _SKIP.search(landed):
            return []
        kind = response.headers.get("content-type", "") if response is not None else ""
        if not kind.startswith("text/html"):
            return []  # the OpenAPI JSON, an icon: not a page
        if page.locator("#swagger-ui").count():
            # The API docs draw themselves after loading the OpenAPI document.
            page.wait_for_selector("#swagger-ui .information-container, #swagger-ui .errors")
        lang_attr = page.evaluate("() => document.documentElement.lang")
        if lang_attr != lang:
            self.problems.append(f"{where}: <html lang> is {lang_attr!r}, not {lang!r}")
        for problem in page.evaluate(_OVERFLOW_JS):
            self.problems.append(f"{where}: {problem}")
        errors = page.language_errors
        if errors:
            self.problems.extend(f"{where}: {e}" for e in errors)
            errors.clear()
        if shape not in self.axed:
            # axe once per page: its rules do not change with the language (the `lang` check
            # above does, and runs on every visit).
            self.axed.add(shape)
            self.problems.extend(f"{where}: axe {line}" for line in a11y_problems(page))
        if (shape, lang) not in self.shot:
            self.shot.add((shape, lang))
            screenshot(page, f"every-page-{lang}-{who}-{shape.strip('/') or 'start'}")
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        found = []
        for href in hrefs:
            parts = urlsplit(href)
            if f"{parts.scheme}://{parts.netloc}" != self.base or parts.query:
                continue
            if not _SKIP.search(parts.path):
                found.append(parts.path)
        return found


def _platform_login(agency: Any) -> Any:
    login = make_staff(agency, role="admin", username="platform", is_superuser=True, is_staff=True)
    # A platform superuser belongs to no agency (removing the membership closes the account,
    # so the account is opened again: a superuser made by createsuperuser never had one).
    Staff.objects.filter(user=login.user).delete()
    type(login.user).objects.filter(pk=login.user.pk).update(is_active=True, is_staff=True)
    return login


@pytest.fixture
def some_of_everything(agency, settings):
    """A call with texts and emails sent, one held in the quarantine, a stop, replies."""
    settings.DEV_INBOX = True
    feed = Feed(agency=agency, source="cad", covered={agency.ori: agency})
    caller = {"phone": "661-555-0142", "email": "maria.lopez@example.org", "language": "en"}
    ingest(feed, [cad_event(1, caller=caller), cad_event(2, status="DISP")])
    worker = Worker(
        {"sms": DevInbox(), "email": DevInbox("email")},
        name="w",
        track_url=lambda call: link_for(call) or "",
    )
    worker.run_once()
    worker._pool.shutdown()
    call = Call.objects.get()
    Hold.objects.create(agency=agency, call=call, reason="Caller asked us to wait")
    email = Outbox.objects.filter(channel=Channel.EMAIL).first()
    assert email is not None
    track = urlsplit(link_for(call) or "").path
    assert track.startswith("/t/")
    return {
        "track": track,
        "unsubscribe": urlsplit(unsubscribe.url_for(email.pk)).path,
    }


@pytest.mark.django_db(transaction=True)
def test_every_page_fits_a_phone_passes_axe_and_says_its_language(
    browser, live_server, agency, some_of_everything
):
    base = live_server.url
    crawl = Crawl(base)
    for lang in LANGUAGES:
        # A tracking or unsubscribe page speaks the caller's language unless ?lang= (its own
        # switch) says otherwise; the other pages follow the visitor's choice (the cookie).
        links = [some_of_everything["track"], some_of_everything["unsubscribe"]]
        public = ["/", *(f"{link}?lang={lang}" for link in links), "/dev/inbox/", "/api/v1/docs"]
        with _session(browser, lang) as page:
            _set_language(page, base, lang)
            crawl.run(page, "public", lang, public)

    for role in ROLES:
        if role == "platform":
            login = _platform_login(agency)
        else:
            login = make_staff(agency, role=role, username=role, is_staff=True)
        with _session(browser, "en") as page:
            staff_login(page, live_server, login)
            for lang in LANGUAGES:
                _set_language(page, base, lang)
                crawl.run(page, role, lang, ["/console/", "/admin/", "/"])

    # The crawl must have reached the kinds of pages it exists for.
    for expected in ("/", "/console/messages/", "/console/replies/", "/admin/notify/rule/"):
        assert expected in crawl.pages, f"the crawl never reached {expected}"
    assert any(p.startswith("/admin/") and p.endswith("/change/") for p in crawl.pages)
    report = ARTIFACTS / "every-page-problems.txt"
    report.write_text("\n".join(crawl.problems) + "\n")
    assert not crawl.problems, f"{len(crawl.problems)} problem(s) (also in {report}):\n" + (
        "\n".join(crawl.problems)
    )
