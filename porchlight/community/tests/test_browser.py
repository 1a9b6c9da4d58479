"""Residents and moderators in a real Chromium at phone width, in English and Spanish, with
axe on every screen (standins/browser.py: CSP on, no sideways scrolling)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from porchlight.community.models import Post, Removal, Resident
from porchlight.community.tests.factories import make_place, make_post, make_resident
from standins.browser import PHONE, look, make_staff, staff_login, switch_language
from standins.media import jpeg_with_gps

ON_A_PHONE = pytest.mark.parametrize("viewport", [PHONE], indirect=True, ids=["phone"])
LAT, LON = 35.3733, -119.0187
PASSWORD = "lantern-Porch-93"


def submit(page: Any, form: str = "main form") -> None:
    with page.expect_navigation():
        page.locator(f"{form} button[type=submit]").last.click()


@ON_A_PHONE
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_a_resident_joins_adds_a_place_and_posts_a_photo(
    page: Any,
    live_server: Any,
    agency: Any,
    viewport: Any,
    lang: str,
    media_storage: Path,
    tmp_path: Path,
) -> None:
    page.goto(f"{live_server.url}/n/bakersfield/")
    switch_language(page, lang)
    assert page.get_attribute("html", "lang") == lang
    assert "661-327-7111" in page.locator(".community-911").inner_text()
    # A phone number is never split across two lines (the Spanish label is long enough to).
    for tel in page.locator("a[href^='tel:']").all():
        assert tel.evaluate("a => a.getClientRects().length") == 1, tel.inner_text()
    look(page, f"community-home-{lang}")
    # With no account, the crime map near an address is one link away, in the same language.
    to_map = page.locator("main a[href^='/map/bakersfield/']")
    assert to_map.get_attribute("href") == f"/map/bakersfield/?lang={lang}"

    page.locator("main a[href='/n/bakersfield/join/']").first.click()
    page.wait_for_url(re.compile(r"/n/bakersfield/join/$"))
    # One address per run: allauth sends one confirmation per address every 3 minutes.
    email = f"ana-{lang}@example.org"
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    look(page, f"community-join-{lang}")
    submit(page, "main form.stack")
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body)
    assert link
    page.goto(
        live_server.url + "/accounts/confirm-email/" + link.group(0).split("/confirm-email/")[1]
    )
    submit(page)
    page.goto(f"{live_server.url}/n/bakersfield/signin/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    look(page, f"community-signin-{lang}")
    submit(page, "main form.stack")
    page.wait_for_url(re.compile(r"/n/bakersfield/feed/$"))
    look(page, f"community-feed-empty-{lang}")

    # A place from a pin (the demo's address table is not loaded here).
    page.goto(f"{live_server.url}/n/bakersfield/places/new/")
    page.fill("input[name=lat]", str(LAT))
    page.fill("input[name=lon]", str(LON))
    page.select_option("select[name=radius_miles]", "2.0")
    look(page, f"community-place-{lang}")
    submit(page)
    page.wait_for_url(re.compile(r"/n/bakersfield/feed/$"))
    resident = Resident.objects.get(user__email=email)
    assert resident.places.get().radius_miles == 2.0
    # The place's two actions read as two: "… summary for Home · Remove Home".
    place_line = page.locator("ul.places li").inner_text()
    # The place is called "Casa" in Spanish, not "Inicio" (a start page: the project's "Home").
    assert re.search(r"(Home|Casa) · (Remove|Quitar) ", place_line), place_line

    # A post with a photo carrying GPS.
    photo = tmp_path / "IMG_0001.jpg"
    photo.write_bytes(jpeg_with_gps())
    page.goto(f"{live_server.url}/n/bakersfield/posts/new/")
    page.select_option("select[name=category]", "crime")
    page.fill("input[name=title]", "Car window smashed")
    page.fill("textarea[name=body]", "Someone smashed my car window overnight and took a bag.")
    page.select_option("select[name=place]", str(resident.places.get().pk))
    page.set_input_files("input[name=photos]", str(photo))
    look(page, f"community-post-form-{lang}")
    submit(page)
    page.wait_for_url(re.compile(r"/n/bakersfield/posts/\d+/$"))
    post = Post.objects.get()
    assert post.status == Post.Status.PENDING and post.media.count() == 1
    img = page.locator("img.post-photo")
    assert img.evaluate("el => el.naturalWidth") == 640  # the published copy loads
    look(page, f"community-post-pending-{lang}")

    # The profiling prompt, in the page's language.
    page.goto(f"{live_server.url}/n/bakersfield/posts/new/")
    page.select_option("select[name=category]", "suspicious")
    page.fill("input[name=title]", "Suspicious")
    page.fill(
        "textarea[name=body]",
        "Black guy walking down our street."
        if lang == "en"
        else "Un hombre moreno parado en la esquina.",
    )
    page.select_option("select[name=place]", str(resident.places.get().pk))
    submit(page)
    page.locator("input[name=post_anyway]").wait_for()
    look(page, f"community-profiling-prompt-{lang}")
    assert Post.objects.count() == 1

    # The moderator sees the photo within a phone's width too (it is wider than the screen).
    page.context.clear_cookies()
    moderator = make_staff(agency, role="community", username="cr1")
    staff_login(page, live_server, moderator, f"/console/community/posts/{post.pk}/")
    switch_language(page, lang)
    assert page.locator("img.post-photo").evaluate("el => el.naturalWidth") == 640
    look(page, f"community-queue-item-photo-{lang}")


@ON_A_PHONE
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_a_moderator_publishes_removes_and_another_decides_the_appeal(
    page: Any, live_server: Any, agency: Any, viewport: Any, lang: str
) -> None:
    author = make_resident(agency, "ana@example.org", first_name="Ana")
    make_place(author, LAT, LON)
    waiting = make_post(author, LAT, LON, title="Streetlight out", status=Post.Status.PENDING)
    selling = make_post(author, LAT, LON, title="Fireworks for sale")
    other = make_resident(agency, "bo@example.org")
    from porchlight.community.models import Flag

    Flag.objects.create(post=selling, resident=other, reason="spam", note="selling")

    first = make_staff(agency, role="community", username="cr1")
    staff_login(page, live_server, first, "/console/community/")
    switch_language(page, lang)
    assert page.locator("main a", has_text="Streetlight out").count() == 1
    look(page, f"community-queue-{lang}")
    # On a phone each post is a card: nothing (when it was posted, why) hides off to the side.
    for wrap in page.locator("main .table-wrap").all():
        assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth"), wrap.inner_text()

    page.locator("main a", has_text="Streetlight out").click()
    page.wait_for_url(re.compile(r"/console/community/posts/\d+/$"))
    look(page, f"community-queue-item-{lang}")
    page.locator("form:has(input[value=approve]) button").click()
    page.wait_for_url(re.compile(r"/console/community/$"))
    waiting.refresh_from_db()
    assert waiting.status == Post.Status.PUBLISHED

    page.locator("main a", has_text="Fireworks for sale").click()
    page.wait_for_url(re.compile(r"/console/community/posts/\d+/$"))
    page.select_option("select[name=rule]", "spam")
    page.fill("textarea[name=reason]", "Selling is not allowed.")
    page.locator("form:has(input[value=remove]) button").click()
    page.wait_for_url(re.compile(r"/console/community/$"))
    removal = Removal.objects.get()
    assert removal.rule == "spam"

    # The author appeals; the same moderator is told another decides.
    removal.appeal = "I was warning people."
    from django.utils import timezone

    removal.appealed = timezone.now()
    removal.save()
    page.goto(f"{live_server.url}/console/community/removals/{removal.pk}/")
    assert (
        page.locator("form button[type=submit]", has_text=re.compile("Decide|Decidir")).count() == 0
    )
    look(page, f"community-appeal-same-moderator-{lang}")

    page.context.clear_cookies()
    second = make_staff(agency, role="admin", username="admin2")
    staff_login(page, live_server, second, f"/console/community/removals/{removal.pk}/")
    switch_language(page, lang)
    page.check("input[name=decision][value=reverse]")
    page.fill("input[name=note]", "Reads as a warning.")
    look(page, f"community-appeal-{lang}")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/console/community/$"))
    selling.refresh_from_db()
    assert selling.status == Post.Status.PUBLISHED
