"""Read-only, masked view of contacts: staff can tell contacts apart without reading them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from porchlight.agencies.admin_scope import AgencyScopedAdmin
from porchlight.notify import pii
from porchlight.notify.models import Contact, Outbox


@admin.register(Contact)
class ContactAdmin(AgencyScopedAdmin):
    read_only = True
    list_display = ("channel", "masked_address", "created", "purged_at")
    list_filter = ("channel", ("purged_at", admin.EmptyFieldListFilter))
    fields = ("agency", "channel", "masked_address", "created", "purged_at")
    readonly_fields = ("masked_address",)
    # Addresses are encrypted, so search goes through the keyed lookup hash of the exact
    # number or email; the search box needs a field name to show, this is it.
    search_fields = ("address_hash",)
    search_help_text = _("Search by the full phone number or email address.")

    @admin.display(description=_("Address"))
    def masked_address(self, obj: Contact) -> str:
        return pii.mask(obj.address)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Contact], search_term: str
    ) -> tuple[QuerySet[Contact], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        address = term.lower() if "@" in term else pii.normalize_phone(term)
        if address is None:
            return queryset.none(), False
        return queryset.filter(address_hash=pii.lookup_hash(address)), False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields


@admin.register(Outbox)
class OutboxAdmin(AgencyScopedAdmin):
    """Every message planned for a caller, sent or not, with the reason when it was not.

    Read-only: the outbox is written by intake and the worker. The body is shown because it is
    what the caller read; the recipient is masked.
    """

    read_only = True
    list_display = ("created", "incident", "trigger", "channel", "state", "reason", "masked_to")
    list_filter = ("state", "trigger", "channel")
    search_fields = ("call__incident_number",)
    search_help_text = _("Search by incident number.")
    list_select_related = ("call", "contact")
    fields = (
        "agency", "incident", "trigger", "channel", "masked_to", "state", "reason", "due_at",
        "attempts", "error_code", "provider_id", "sent_at", "delivered_at", "body", "created",
    )  # fmt: skip
    readonly_fields = ("incident", "masked_to")

    @admin.display(description=_("Incident"), ordering="call__incident_number")
    def incident(self, obj: Outbox) -> str:
        return obj.call.incident_number if obj.call else ""

    @admin.display(description=_("To"))
    def masked_to(self, obj: Outbox) -> str:
        return pii.mask(obj.contact.address)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields
