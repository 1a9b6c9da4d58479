"""A moderator removes a comment on a phone, in English and Spanish, with axe on each screen;
the comment's author reads the rule and the reason under the post and appeals."""

from __future__ import annotations

import re
from typing import Any

import pytest

from porchlight.community.models import Removal
from porchlight.community.tests.factories import make_thread
from standins.browser import PHONE, look, make_staff, resident_login, staff_login, switch_language

ON_A_PHONE = pytest.mark.parametrize("viewport", [PHONE], indirect=True, ids=["phone"])
WORDS = {
    "en": {"open": "Remove this comment", "remove": "Remove the comment",
           "removed": "A moderator removed your comment", "appeal": "Appeal to another moderator",
           "why": "Why should your comment be restored?"},
    "es": {"open": "Retirar este comentario", "remove": "Retirar el comentario",
           "removed": "Un moderador retiró su comentario", "appeal": "Apelar ante otro moderador",
           "why": "¿Por qué se debería restaurar su comentario?"},
}  # fmt: skip


@ON_A_PHONE
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_a_moderator_removes_a_comment_and_its_author_appeals(
    page: Any, browser: Any, live_server: Any, agency: Any, viewport: Any, lang: str
) -> None:
    words = WORDS[lang]
    post, comment, _cy = make_thread(
        agency, "Whoever lives there is a fool.", author="ana@example.org", title="Streetlight out"
    )

    staff_login(page, live_server, make_staff(agency, role="community", username="cr1"),
                f"/console/community/posts/{post.pk}/")  # fmt: skip
    switch_language(page, lang)
    page.get_by_text(words["open"]).click()
    page.select_option(f"#id_c{comment.pk}-rule", "harassment")
    page.fill(f"#id_c{comment.pk}-reason", "Insults a neighbour.")
    look(page, f"community-comment-remove-phone-{lang}")
    page.get_by_role("button", name=words["remove"]).click()
    page.wait_for_url(re.compile(rf"/console/community/posts/{post.pk}/$"))
    removal = Removal.objects.get()
    assert removal.comment == comment and removal.rule == "harassment"
    look(page, f"community-comment-removed-console-phone-{lang}")

    # The comment's author, on their own phone.
    phone = browser.new_context(viewport=viewport)
    phone.set_default_timeout(10_000)
    mine = phone.new_page()
    resident_login(mine, live_server, agency, "cy@example.org", lang)
    mine.goto(f"{live_server.url}/n/{agency.slug}/posts/{post.pk}/")
    panel = mine.locator(f"#removed-comment-{comment.pk}")
    assert words["removed"] in panel.inner_text() and "Insults a neighbour." in panel.inner_text()
    mine.get_by_label(words["why"]).fill("I take it back; I was angry.")
    look(mine, f"community-comment-appeal-phone-{lang}")
    mine.get_by_role("button", name=words["appeal"]).click()
    mine.wait_for_url(re.compile(rf"/posts/{post.pk}/$"))
    removal.refresh_from_db()
    assert removal.appeal == "I take it back; I was angry."
    look(mine, f"community-comment-appealed-phone-{lang}")
    phone.close()
