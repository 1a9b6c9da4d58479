"""The profiling prompt: its precision and recall on the committed labelled set, and the
form's ask-to-revise flow."""

from __future__ import annotations

from typing import Any

import pytest

from porchlight.community import profiling
from porchlight.community.models import Lexicon, Post
from porchlight.community.tests.factories import make_place, make_resident

LAT, LON = 35.3733, -119.0187


def test_the_labelled_set_is_large_enough_and_in_both_languages() -> None:
    rows = profiling.labelled_examples()
    assert len(rows) >= 100
    assert {r["lang"] for r in rows} == {"en", "es"}
    assert 0.3 < sum(bool(r["prompt"]) for r in rows) / len(rows) < 0.7


def test_precision_and_recall_on_the_labelled_set() -> None:
    scores = profiling.evaluate()
    print(f"profiling prompt: {scores} precision={scores.precision:.3f} recall={scores.recall:.3f}")
    # docs/admins.md reports these figures; the lexicons were written with most of this set
    # in view, so the held-out part below is the honest estimate.
    assert scores.precision >= 0.9
    assert scores.recall >= 0.9


def test_precision_and_recall_on_the_held_out_examples() -> None:
    held = [r for r in profiling.labelled_examples() if r.get("held_out")]
    assert len(held) >= 20
    scores = profiling.evaluate(held)
    print(f"held out: {scores} precision={scores.precision:.3f} recall={scores.recall:.3f}")
    assert scores.precision >= 0.7
    assert scores.recall >= 0.9


@pytest.mark.parametrize(
    ("text", "prompt"),
    [
        ("Black guy walking around the block.", True),
        ("Guy in a black hoodie trying car doors.", False),
        ("Black Honda parked for hours.", False),
        ("Un hombre moreno parado en la esquina.", True),
        ("Un hombre moreno forzando la puerta del garaje.", False),
        ("Camioneta negra estacionada.", False),
    ],
)
def test_appearance_alone_is_prompted_behaviour_or_things_are_not(text: str, prompt: bool) -> None:
    assert profiling.check(text).prompt is prompt


@pytest.mark.django_db
def test_an_agencys_lexicon_replaces_the_built_in_one_for_its_language(agency: Any) -> None:
    text = "A Martian man on our street."
    assert not profiling.check(text, profiling.lexicons_for(agency)).prompt
    Lexicon.objects.create(
        agency=agency,
        language="en",
        terms=profiling.DEFAULT_LEXICON["en"] + "\nappearance: martian\n",
    )
    assert profiling.check(text, profiling.lexicons_for(agency)).prompt


@pytest.mark.django_db
def test_the_form_asks_to_revise_and_posting_anyway_goes_to_a_moderator(
    client: Any, agency: Any
) -> None:
    me = make_resident(agency, "me@example.org", trusted=True)
    client.force_login(me.user)
    place = make_place(me, LAT, LON)
    data = {
        "category": "suspicious",
        "title": "Suspicious person",
        "body": "Hispanic guy walking down our street.",
        "place": place.pk,
    }
    r = client.post("/n/bakersfield/posts/new/", data)
    assert r.status_code == 400
    assert b"describe the behaviour" in r.content and b"Post as written" in r.content
    assert not Post.objects.exists()
    # Revised to say what happened: published (the poster is trusted).
    revised = {**data, "body": "A man was trying the handles of every car on our street."}
    assert client.post("/n/bakersfield/posts/new/", revised).status_code == 302
    assert Post.objects.get().status == Post.Status.PUBLISHED
    # Posting as written is allowed, but a moderator sees it first, even from a trusted account.
    assert (
        client.post("/n/bakersfield/posts/new/", {**data, "post_anyway": "on"}).status_code == 302
    )
    assert Post.objects.latest("pk").status == Post.Status.PENDING


@pytest.mark.django_db
def test_other_categories_are_not_checked(client: Any, agency: Any) -> None:
    me = make_resident(agency, "me@example.org")
    client.force_login(me.user)
    place = make_place(me, LAT, LON)
    data = {
        "category": "neighborly",
        "title": "Festival",
        "body": "Latino heritage festival, come!",
        "place": place.pk,
    }
    assert client.post("/n/bakersfield/posts/new/", data).status_code == 302
