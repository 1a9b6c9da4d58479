"""The audit log in the admin: read-only for everyone, and scoped to the staff member's agency.

The database refuses UPDATE and DELETE on this table anyway (triggers, migration 0002); the
admin does not offer them, so nobody meets that error as a 500.
"""

from __future__ import annotations

from django.contrib import admin

from porchlight.agencies.admin_scope import AgencyScopedAdmin
from porchlight.agencies.models import Role
from porchlight.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(AgencyScopedAdmin):
    read_only = True
    # Who did what is for those who answer for it: agency admins and supervisors.
    view_roles = frozenset({Role.ADMIN.value, Role.SUPERVISOR.value})
    list_display = ("at", "actor_label", "action", "target_type", "target_id", "ip")
    list_filter = ("action", "target_type")
    search_fields = ("actor_label", "action", "target_id", "ip")
    date_hierarchy = "at"
    fields = (
        "at",
        "actor_label",
        "actor_id",
        "agency",
        "action",
        "target_type",
        "target_id",
        "changes",
        "ip",
        "user_agent",
    )
    readonly_fields = fields
    # No actions at all: there is nothing an admin may do to an entry.
    actions = None
