"""Admin: each agency's limits for requests for assistance (scoped and audited by
agencies/admin_scope.py). The limits can only be tightened: the fields' validators, the
table's check constraints and limits.limits_for() (which takes the smaller) all say so."""

from __future__ import annotations

from django.contrib import admin

from porchlight.agencies.admin_scope import AgencyScopedAdmin
from porchlight.assist.models import Policy


@admin.register(Policy)
class PolicyAdmin(AgencyScopedAdmin):
    list_display = ("agency", "max_radius_m", "max_window_hours", "max_expiry_days",
                    "retention_days")  # fmt: skip
    fields = ("agency", "max_radius_m", "max_window_hours", "max_expiry_days", "retention_days")
