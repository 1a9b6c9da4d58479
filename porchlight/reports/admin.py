"""Admin for online report categories and their questions, scoped to the staff member's agency."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from porchlight.agencies.admin_scope import AgencyScopedAdmin
from porchlight.audit.log import record
from porchlight.reports.models import Category, Question, Report


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
            if formset.new_objects or formset.changed_objects or formset.deleted_objects:
                # Open311's discovery changeset says when the services last changed.
                Category.objects.filter(pk=form.instance.pk).update(updated_at=timezone.now())


@admin.register(Report)
class ReportAdmin(AgencyScopedAdmin):
    """What residents and apps filed, for staff to read; filing is the only way to make one."""

    read_only = True
    list_display = ("case", "category", "source", "filed_at", "photo_count")
    list_filter = ("source", "category")
    search_fields = ("case__number",)
    date_hierarchy = "filed_at"
    list_select_related = ("case", "category")
    fields = (
        "case",
        "category",
        "source",
        "filed_at",
        "language",
        "address",
        "lat",
        "lon",
        "description",
        "answers",
        "photo_links",
        "media_url",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    @admin.display(description=_("photos"))
    def photo_count(self, obj: Report) -> int:
        return obj.photos.count()

    @admin.display(description=_("photos"))
    def photo_links(self, obj: Report) -> str:
        links = [
            format_html('<a href="{}">{}</a>', photo.published.url, photo.published.name)
            for photo in obj.photos.all()
        ]
        return format_html_join("", "<p>{}</p>", ((link,) for link in links)) or "–"

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> Any:
        response = super().change_view(request, object_id, form_url, extra_context)
        report = self.get_queryset(request).filter(pk=object_id).first()
        if report is not None and response.status_code == 200:
            # A resident's own words are personal data: every staff read is in the audit log.
            record("report.viewed", request=request, agency=report.agency, target=report)
        return response
