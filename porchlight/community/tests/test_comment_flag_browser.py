"""A resident flags a comment on a phone, in English and Spanish, with axe on each screen; a
moderator finds it in the queue with its reason and keeps the comment up."""

from __future__ import annotations

import re
from typing import Any

import pytest

from porchlight.community.models import Flag
from porchlight.community.tests.factories import make_resident, make_thread
from standins.browser import PHONE, look, make_staff, resident_login, staff_login, switch_language

ON_A_PHONE = pytest.mark.parametrize("viewport", [PHONE], indirect=True, ids=["phone"])
WORDS = {
    "en": {"flag": "Flag this comment", "send": "Send to a moderator",
           "thanks": "A moderator will look at this comment", "reason": "Harassment or threats",
           "badge": "1 flag on comments", "keep": "Keep the comment (dismiss its flags)"},
    "es": {"flag": "Reportar este comentario", "send": "Enviar a un moderador",
           "thanks": "Un moderador revisará este comentario", "reason": "Acoso o amenazas",
           "badge": "1 reporte en comentarios", "keep": "Mantener el comentario (descartar sus reportes)"},
}  # fmt: skip


@ON_A_PHONE
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_a_resident_flags_a_comment_and_a_moderator_keeps_it(
    page: Any, browser: Any, live_server: Any, agency: Any, viewport: Any, lang: str
) -> None:
    words = WORDS[lang]
    post, comment, _cy = make_thread(
        agency, "Whoever lives there is a fool.", author="ana@example.org", title="Streetlight out"
    )
    make_resident(agency, "dee@example.org", first_name="Dee")

    resident_login(page, live_server, agency, "dee@example.org", lang)
    page.goto(f"{live_server.url}/n/{agency.slug}/posts/{post.pk}/")
    look(page, f"community-comment-flag-link-phone-{lang}")
    with page.expect_navigation():
        page.locator(f"#comment-{comment.pk}").get_by_role("link", name=words["flag"]).click()
    page.get_by_label(words["reason"]).check()
    page.locator("[name=note]").fill("Name-calling.")
    look(page, f"community-comment-flag-form-phone-{lang}")
    with page.expect_navigation():
        page.get_by_role("button", name=words["send"]).click()
    assert words["thanks"] in page.locator("body").inner_text()
    look(page, f"community-comment-flagged-phone-{lang}")
    made = Flag.objects.get()
    assert (made.comment, made.reason, made.note) == (comment, "harassment", "Name-calling.")

    # The moderator, in another browser.
    console = browser.new_context(viewport=viewport)
    console.set_default_timeout(10_000)
    mod = console.new_page()
    staff_login(mod, live_server, make_staff(agency, role="community", username="cr1"),
                "/console/community/")  # fmt: skip
    switch_language(mod, lang)
    assert words["badge"] in mod.locator("main").inner_text()
    look(mod, f"community-comment-flag-queue-phone-{lang}")
    with mod.expect_navigation():
        mod.locator("main a", has_text="Streetlight out").click()
    row = mod.locator(f"#comment-{comment.pk}")
    assert words["reason"] in row.inner_text() and "Name-calling." in row.inner_text()
    look(mod, f"community-comment-flag-item-phone-{lang}")
    with mod.expect_navigation():
        row.get_by_role("button", name=words["keep"]).click()
    made.refresh_from_db()
    assert made.resolved is not None
    mod.wait_for_url(re.compile(rf"/console/community/posts/{post.pk}/$"))
    console.close()
