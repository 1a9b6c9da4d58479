"""The chain of custody in the admin: read-only, and for platform operators only.

Custody entries carry no agency (a MediaFile is owner-agnostic), so the agency-scoped admin
shows agency staff none of them; each agency's staff read a file's custody where the file is
shown (a share's page). Nobody may add, change or delete an entry here.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from porchlight.agencies.admin_scope import AgencyScopedAdmin, is_platform
from porchlight.media.models import CustodyEntry


@admin.register(CustodyEntry)
class CustodyEntryAdmin(AgencyScopedAdmin):
    read_only = True
    # No agency to scope by: platform superusers only (an empty set of roles).
    agency_path = ""
    view_roles = frozenset()
    list_display = ("at", "action", "actor", "media_file", "digest_ok", "ip")
    list_filter = ("action", "digest_ok")
    search_fields = ("actor", "media_file__original_sha256", "note")
    date_hierarchy = "at"
    fields = ("at", "media_file", "action", "user", "actor", "ip", "digest_ok", "note")
    readonly_fields = fields
    actions = None

    def get_queryset(self, request: HttpRequest) -> QuerySet[CustodyEntry]:
        queryset = super(AgencyScopedAdmin, self).get_queryset(request)
        return queryset if is_platform(request) else queryset.none()
