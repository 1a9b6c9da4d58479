"""Feedback in the Django admin: surveys and their questions, shifts, officers, the roster,
beat supervisors and the theme lexicons, all scoped to the staff member's agency and audited
(AgencyScopedAdmin)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from porchlight.agencies.admin_scope import AgencyScopedAdmin
from porchlight.feedback.models import (
    BeatSupervisor,
    Commendation,
    Kind,
    Lexicon,
    Officer,
    Question,
    RosterEntry,
    Shift,
    Survey,
)


class QuestionForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Question
        fields = (
            "position", "kind", "about", "required", "text_en", "text_es", "choices_en",
            "choices_es",
        )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # A caller who speaks Spanish gets the survey in Spanish: a question with no Spanish
        # wording would show them the English one in the middle of it.
        if (data.get("text_en") or "").strip() and not (data.get("text_es") or "").strip():
            self.add_error(
                "text_es", _("Give the Spanish wording: callers who speak Spanish read it.")
            )
        if data.get("kind") == Kind.CHOICE:
            en = [c for c in (data.get("choices_en") or "").splitlines() if c.strip()]
            es = [c for c in (data.get("choices_es") or "").splitlines() if c.strip()]
            if len(en) < 2:
                raise forms.ValidationError(
                    _("A single-choice question needs two choices or more.")
                )
            if not es:
                raise forms.ValidationError(
                    _("Give the Spanish choices too: callers who speak Spanish read them.")
                )
            if len(es) != len(en):
                raise forms.ValidationError(
                    _("The Spanish choices must match the English ones, one for one.")
                )
        return data


class QuestionInline(admin.StackedInline):  # type: ignore[type-arg]
    model = Question
    form = QuestionForm
    extra = 0

    # The survey's own admin decides.
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site._registry[Survey].has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site._registry[Survey].has_change_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site._registry[Survey].has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site._registry[Survey].has_change_permission(request, obj)


class SurveyForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Survey
        fields = (
            "agency", "name", "enabled", "when", "delay_hours", "sample_percent",
            "call_types_off", "intro_en", "intro_es",
        )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("intro_en") or "").strip() and not (data.get("intro_es") or "").strip():
            self.add_error(
                "intro_es",
                _("Give the Spanish introduction: callers who speak Spanish read it."),
            )
        return data

    def clean_sample_percent(self) -> int:
        value = self.cleaned_data["sample_percent"]
        if not 0 <= value <= 100:
            raise forms.ValidationError(_("Between 0 and 100."))
        return int(value)

    def clean_call_types_off(self) -> list[str]:
        value = self.cleaned_data.get("call_types_off") or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise forms.ValidationError(_('A list of call type codes, e.g. ["415", "10-16"].'))
        return [v.strip() for v in value if v.strip()]


@admin.register(Survey)
class SurveyAdmin(AgencyScopedAdmin):
    form = SurveyForm
    inlines = (QuestionInline,)
    list_display = ("name", "when", "enabled", "delay_hours", "sample_percent")
    list_filter = ("when", "enabled")


@admin.register(Shift)
class ShiftAdmin(AgencyScopedAdmin):
    list_display = ("name", "starts", "ends")


@admin.register(Officer)
class OfficerAdmin(AgencyScopedAdmin):
    list_display = ("badge", "name", "user", "email_commendations")
    search_fields = ("badge", "name")


@admin.register(RosterEntry)
class RosterEntryAdmin(AgencyScopedAdmin):
    list_display = ("day", "shift", "unit", "officer", "source")
    list_filter = ("source", "shift")
    date_hierarchy = "day"
    search_fields = ("unit", "officer__badge", "officer__name")


@admin.register(BeatSupervisor)
class BeatSupervisorAdmin(AgencyScopedAdmin):
    list_display = ("beat", "user")
    search_fields = ("beat",)


@admin.register(Lexicon)
class LexiconAdmin(AgencyScopedAdmin):
    list_display = ("theme", "language")
    list_filter = ("theme", "language")


@admin.register(Commendation)
class CommendationAdmin(AgencyScopedAdmin):
    read_only = True
    list_display = ("officer", "created", "emailed_at")
    exclude = ("text",)  # comments are read redacted on the console page
