"""A category's questions as form fields, and the one check of their answers.

The web form shows these fields; Open311's POST requests runs its `attribute[code]` values
through the same `AnswersForm`, so both ways in accept and refuse exactly the same answers.
Answers are stored as JSON: text, a number as a string ("120.50"), an ISO time, a key, or a
list of keys.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from porchlight.reports.models import Category, Question

PREFIX = "q-"


def field_for(question: Question, language: str) -> forms.Field:
    label = question.prompt_in(language)
    common: dict[str, Any] = {"label": label, "required": question.required}
    kind = question.kind
    if kind == Question.Kind.STRING:
        return forms.CharField(max_length=200, **common)
    if kind == Question.Kind.TEXT:
        return forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind == Question.Kind.NUMBER:
        return forms.DecimalField(
            max_digits=12,
            decimal_places=2,
            min_value=Decimal(0),
            widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
            **common,
        )
    if kind == Question.Kind.DATETIME:
        return forms.DateTimeField(
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            **common,
        )
    choices = question.choices_in(language)
    if kind == Question.Kind.ONE:
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)


def _stored(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # "250", "12.5": never "2.5E+2"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class AnswersForm(forms.Form):
    """The answers to one category's questions; `answers()` gives them ready to store."""

    def __init__(self, category: Category, language: str, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", None)
        super().__init__(*args, **kwargs)
        self.category = category
        self.questions = list(category.questions.all())
        for question in self.questions:
            self.fields[PREFIX + question.code] = field_for(question, language)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        now = timezone.now()
        for question in self.questions:
            value = data.get(PREFIX + question.code)
            if isinstance(value, datetime) and value > now:
                self.add_error(PREFIX + question.code, _("This time is in the future."))
        return data

    def answers(self) -> dict[str, Any]:
        out = {}
        for question in self.questions:
            value = self.cleaned_data.get(PREFIX + question.code)
            if value in (None, "", []):
                continue
            out[question.code] = _stored(value)
        return out
