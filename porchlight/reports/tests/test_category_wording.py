"""A category's words come in the reader's language, and bad wordings or choices are refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from porchlight.reports.models import Category, Question, words


def test_words_fall_back_to_the_agency_language_then_any() -> None:
    assert words({"en": "Vandalism", "es": "Vandalismo"}, "es") == "Vandalismo"
    assert words({"en": "Vandalism", "es": "Vandalismo"}, "es-MX") == "Vandalismo"
    assert words({"en": "Vandalism"}, "es") == "Vandalism"
    assert words({"vi": "Phá hoại"}, "es") == "Phá hoại"
    assert words({}, "en") == ""
    assert words("not a mapping", "en") == ""


def test_a_category_without_its_own_notice_says_not_for_emergencies(agency) -> None:
    category = Category.objects.create(
        agency=agency, code="noise", name={"en": "Noise"}, offense_code="90C", offense="Noise"
    )
    assert "call 911" in category.notice_in("en")
    assert "llame al 911" in category.notice_in("es")
    category.notice = {"en": "Not for emergencies: call 911 or (661) 327-7111."}
    assert category.notice_in("en").startswith("Not for emergencies")
    # An agency that wrote only English: a Spanish reader gets the English notice, not nothing.
    assert category.notice_in("es").startswith("Not for emergencies")


@pytest.mark.parametrize("name", [{}, {"en": "  "}, {"en": 3}, ["Noise"]])
def test_a_category_needs_a_name(agency, name) -> None:
    category = Category(agency=agency, code="noise", name=name, offense_code="90C", offense="x")
    with pytest.raises(ValidationError) as refused:
        category.full_clean()
    assert "name" in refused.value.message_dict


def test_a_bad_code_is_refused(agency) -> None:
    category = Category(
        agency=agency,
        code="Theft Under $950",
        name={"en": "Theft"},
        offense_code="23H",
        offense="x",
    )
    with pytest.raises(ValidationError) as refused:
        category.full_clean()
    assert "code" in refused.value.message_dict


@pytest.mark.parametrize(
    ("kind", "choices"),
    [
        (Question.Kind.ONE, []),
        (Question.Kind.STRING, [{"key": "a", "name": {"en": "A"}}]),
        (Question.Kind.ONE, [{"key": "a"}]),
        (Question.Kind.ONE, [{"key": "a", "name": {"en": "A"}}, {"key": "a", "name": {"en": "B"}}]),
        (Question.Kind.MANY, "a, b"),
    ],
)
def test_choices_must_fit_the_kind(categories, kind, choices) -> None:
    question = Question(
        category=categories[0], code="q", prompt={"en": "Which?"}, kind=kind, choices=choices
    )
    with pytest.raises(ValidationError) as refused:
        question.full_clean()
    assert "choices" in refused.value.message_dict


def test_the_demo_categories_are_valid_in_both_languages(categories) -> None:
    assert {c.code for c in categories} >= {
        "theft", "vandalism", "lost-property", "vehicle-burglary", "noise", "abandoned-vehicle"
    }  # fmt: skip
    for category in categories:
        category.full_clean()
        assert category.name_in("en") != category.name_in("es")
        for question in category.questions.all():
            question.full_clean()
            assert question.prompt_in("en") != question.prompt_in("es")
