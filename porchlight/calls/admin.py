"""Admin for call types (configured per agency), and read-only views of calls and quarantine.

Calls and quarantined events are written by intake alone; the staff console owns replay. Caller
contact details appear masked, never decrypted.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from porchlight import reasons
from porchlight.agencies.admin_scope import AgencyScopedAdmin
from porchlight.calls import unmapped
from porchlight.calls.models import Call, CallType, Quarantine
from porchlight.notify import pii
from porchlight.notify.models import Contact


@admin.register(CallType)
class CallTypeAdmin(AgencyScopedAdmin):
    list_display = ("code", "description", "sensitive", "needs_mapping")
    list_filter = ("sensitive", "needs_mapping")
    search_fields = ("code", "description")
    fields = ("agency", "code", "description", "sensitive", "needs_mapping")

    def save_model(self, request: HttpRequest, obj: CallType, form: Any, change: bool) -> None:
        # The admin saves inside a transaction: the code first, then its calls (unmapped.py).
        super().save_model(request, obj, form, change)
        unmapped.reevaluate(obj)


def masked(contact: Contact | None) -> str:
    return pii.mask(contact.address) if contact is not None else ""


@admin.register(Call)
class CallAdmin(AgencyScopedAdmin):
    read_only = True
    list_display = (
        "incident_number",
        "call_type",
        "priority",
        "status",
        "first_event_at",
        "beat",
        "caller",
    )
    list_filter = ("status", "needs_mapping", "historical", "do_not_contact", "juvenile")
    search_fields = ("incident_number", "report_number", "address")
    list_select_related = ("call_type", "priority", "caller_phone", "caller_email")
    date_hierarchy = "first_event_at"
    exclude = ("caller_phone", "caller_email")
    readonly_fields = ("caller",)

    @admin.display(description=_("Caller"))
    def caller(self, obj: Call) -> str:
        return ", ".join(m for m in (masked(obj.caller_phone), masked(obj.caller_email)) if m)


@admin.register(Quarantine)
class QuarantineAdmin(AgencyScopedAdmin):
    read_only = True
    list_display = (
        "arrived_at",
        "source",
        "event_id",
        "incident_number",
        "kind",
        "state",
        "why",
    )
    list_filter = ("kind", "state", "source")
    search_fields = ("event_id", "incident_number", "reason")
    # The raw event is encrypted (it may hold a caller's number) and is never shown here.
    exclude = ("raw_enc",)

    @admin.display(description=_("Why"))
    def why(self, obj: Quarantine) -> str:
        # In the admin's language; the stored code (`reason`) stays as it is for integrators.
        return reasons.describe_event(obj.reason)
