"""Agencies edit their own profiling word lists in the admin; the prompt uses them at once."""

from __future__ import annotations

from typing import Any

import pytest

from porchlight.community import profiling
from porchlight.community.models import Lexicon
from standins.browser import client_login, make_staff


def admin_client(client: Any, agency: Any, role: str) -> Any:
    # Staff reach the Django admin with is_staff, as `porchlight createstaff` sets it.
    client_login(client, make_staff(agency, role=role, username=role, is_staff=True))
    return client


@pytest.mark.django_db
def test_community_relations_staff_edit_the_word_list_and_the_prompt_follows(
    client: Any, agency: Any
) -> None:
    client = admin_client(client, agency, "community")
    assert client.get("/admin/community/lexicon/").status_code == 200
    r = client.post(
        "/admin/community/lexicon/add/",
        {"agency": agency.pk, "language": "en", "terms": "appearance: martian\nperson: man\n"},
    )
    assert r.status_code == 302, r.content[:600]
    assert Lexicon.objects.get().agency == agency
    assert profiling.check("A martian man on our street.", profiling.lexicons_for(agency)).prompt


@pytest.mark.django_db
def test_read_only_staff_cannot_open_the_word_lists(client: Any, agency: Any) -> None:
    assert (
        admin_client(client, agency, "readonly").get("/admin/community/lexicon/").status_code == 403
    )
