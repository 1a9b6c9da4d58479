"""Admin pages for what agency admins configure about cases: their RMS status codes (each
mapped to a NIBRS term, with the words victims read) and their case settings (RMS feed,
victims' rights, report copies). Scoped to the agency and audited (AgencyScopedAdmin)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from porchlight.agencies.admin_scope import AgencyScopedAdmin
from porchlight.cases import defaults
from porchlight.cases.models import CaseSettings, RmsStatus


@admin.register(RmsStatus)
class RmsStatusAdmin(AgencyScopedAdmin):
    list_display = ("code", "term", "wording")
    list_filter = ("term",)
    search_fields = ("code",)
    fields = ("agency", "code", "term", "wording")


@admin.register(CaseSettings)
class CaseSettingsAdmin(AgencyScopedAdmin):
    list_display = ("agency", "rms_feed", "number_prefix", "copy_fee")
    fields = (
        "agency", "rms_feed", "number_prefix", "rights", "copy_where", "copy_hours", "copy_fee",
    )  # fmt: skip

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            # Made here rather than on first use: the agency's case rules come with it.
            defaults.install(obj.agency_id)
