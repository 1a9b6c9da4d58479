"""Admin: each agency's public categories and publication delay, scoped and audited
(agencies/admin_scope.py). Published incidents are the publish job's: read-only here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from porchlight.agencies.admin_scope import AgencyScopedAdmin
from porchlight.publicmap.models import CategoryMapping, MapSettings, PublishedIncident


@admin.register(CategoryMapping)
class CategoryMappingAdmin(AgencyScopedAdmin):
    list_display = ("code", "description", "source", "category", "sensitive")
    list_editable = ("category",)
    list_filter = ("source", "category", "sensitive")
    search_fields = ("code", "description")
    fields = ("agency", "source", "code", "description", "category", "sensitive")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The source's codes and their sensitivity come from the CAD/RMS (CallType.sensitive,
        # the agency's sensitive terms); only the category is the map's own decision.
        if obj is not None:
            return ("source", "code", "description", "sensitive")
        return ("sensitive",)


@admin.register(MapSettings)
class MapSettingsAdmin(AgencyScopedAdmin):
    list_display = ("agency", "delay_minutes")
    fields = ("agency", "delay_minutes")


@admin.register(PublishedIncident)
class PublishedIncidentAdmin(AgencyScopedAdmin):
    read_only = True
    list_display = ("occurred_at", "kind", "mapping", "block_number", "street", "source")
    list_filter = ("kind", "source")
    date_hierarchy = "occurred_at"
    # The source record's id is not a secret from staff, but the call link is internal.
    exclude = ("call_id",)
