"""Precision and recall of the default lexicons on a committed set of comments labelled by
hand (tests/data/labelled_comments.csv: 110 comments, English and Spanish, some with no theme).
docs/admins.md reports the figures this test prints; it fails if they fall below the floors."""

import csv
from pathlib import Path

import pytest

from porchlight.feedback import themes

DATA = Path(__file__).parent / "data" / "labelled_comments.csv"


def labelled():
    with DATA.open(encoding="utf-8") as f:
        return [
            (row["language"], row["text"], {t for t in row["themes"].split(";") if t})
            for row in csv.DictReader(f)
        ]


def test_the_labelled_set_is_large_enough_and_covers_every_theme():
    rows = labelled()
    assert len(rows) >= 100
    assert {lang for lang, _, _ in rows} == {"en", "es"}
    seen = set().union(*(truth for _, _, truth in rows))
    assert seen == {theme for theme, _ in themes.DEFAULT_TERMS}


def test_precision_and_recall_of_the_default_lexicons(capsys):
    scores = themes.score(themes.Tagger(themes.DEFAULT_TERMS), labelled())
    with capsys.disabled():
        print("\ntheme              precision  recall  comments")
        for theme, (p, r, n) in scores.items():
            print(f"{theme:<18} {p:9.2f} {r:7.2f} {n:9d}")
    precision, recall, _ = scores["all"]
    assert precision >= 0.75
    assert recall >= 0.75
    for theme, (p, r, _n) in scores.items():
        assert p >= 0.6 and r >= 0.6, theme


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "The officer was RUDE.", ["courtesy"]),
        ("es", "Llegaron rapidisimo", ["response_time"]),  # no accent, any ending
        ("es", "Fue muy amable", ["courtesy"]),
        ("en", "", []),
        ("fr", "He was rude", ["courtesy"]),  # no French lexicon: read with all of them
    ],
)
def test_matching_ignores_case_and_accents(language, text, expected):
    assert themes.Tagger(themes.DEFAULT_TERMS).themes(text, language) == expected
