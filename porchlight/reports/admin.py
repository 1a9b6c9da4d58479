"""Admin for online report categories and their questions, scoped to the staff member's agency."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from porchlight.agencies.admin_scope import AgencyScopedAdmin
from porchlight.audit.log import record
from porchlight.reports.models import Category, Question


class QuestionInline(admin.StackedInline):  # type: ignore[type-arg]
    model = Question
    extra = 0
    fields = ("code", "prompt", "kind", "required", "choices", "order")

    # The category's own admin decides; an inline would ask Django's model permissions.
    def _owner(self) -> Any:
        return self.admin_site._registry[Category]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(self._owner().has_view_permission(request, obj))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(self._owner().has_change_permission(request, obj))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(self._owner().has_change_permission(request, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(self._owner().has_change_permission(request, obj))


@admin.register(Category)
class CategoryAdmin(AgencyScopedAdmin):
    inlines = (QuestionInline,)
    list_display = ("code", "__str__", "offense_code", "active", "order")
    list_editable = ("active", "order")
    list_filter = ("active",)
    search_fields = ("code", "offense")
    fieldsets = (
        (None, {"fields": ("agency", "code", "name", "description", "active", "order")}),
        (
            _("Notice"),
            {
                "fields": ("notice",),
                "description": _(
                    "Shown above the form. Left empty, the form says it is not for "
                    "emergencies and to call 911, in the reader's language."
                ),
            },
        ),
        (_("The case it opens"), {"fields": ("offense_code", "offense")}),
        (
            _("Required fields"),
            {
                "fields": (
                    "description_required",
                    "address_required",
                    "contact_required",
                    "photos_allowed",
                )
            },
        ),
        (_("Open311"), {"fields": ("group", "keywords")}),
    )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # Questions are edited inline; each added, changed or deleted one gets its own entry.
        with transaction.atomic():
            formset.save()
            agency = form.instance.agency
            for obj in formset.new_objects:
                record("admin.add", request=request, agency=agency, target=obj, changes={})
            for obj, fields in formset.changed_objects:
                record(
                    "admin.change",
                    request=request,
                    agency=agency,
                    target=obj,
                    changes={"fields": sorted(fields)},
                )
            for obj in formset.deleted_objects:
                record(
                    "admin.delete",
                    request=request,
                    agency=agency,
                    target=obj,
                    changes={"repr": str(obj)},
                )
