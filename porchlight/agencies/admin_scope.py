"""One ModelAdmin base for every admin page: scoped to the staff member's agency, and audited.

Staff of an agency see and edit only their agency's rows; platform superusers (is_superuser, no
Staff row needed) see every agency. What a staff member may do follows their role: an agency
admin configures, every other role only views. Every add, change, delete and admin action goes
through porchlight.audit.log.record(), here and nowhere else in the admin.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models, transaction
from django.http import HttpRequest

from porchlight.agencies.models import Agency, Role
from porchlight.agencies.staff import staff_of
from porchlight.audit.log import record

ALL_ROLES = frozenset(Role.values)
CONFIGURE_ROLES = frozenset({Role.ADMIN.value})


def is_platform(request: HttpRequest) -> bool:
    """A platform superuser: sees and configures every agency."""
    return bool(request.user.is_active and request.user.is_superuser)


def acting_agency(request: HttpRequest) -> Agency | None:
    """The agency a staff member's admin request is limited to; None for superusers and outsiders."""
    staff = staff_of(request)
    return staff.agency if staff is not None else None


def scope_queryset(queryset: models.QuerySet[Any], agency: Agency | None) -> models.QuerySet[Any]:
    """Limit any queryset to one agency's rows. Models we cannot place in an agency give nothing:
    a picker that shows too little is a nuisance, one that shows another agency's rows a leak."""
    if agency is None:
        return queryset.none()
    model = queryset.model
    if model is Agency:
        return queryset.filter(pk=agency.pk)
    if model is get_user_model():
        return queryset.filter(staff__agency=agency, is_superuser=False)
    try:
        field = model._meta.get_field("agency")
    except FieldDoesNotExist:
        return queryset.none()
    if getattr(field, "related_model", None) is Agency:
        return queryset.filter(agency=agency)
    return queryset.none()


class AgencyScopedAdmin(admin.ModelAdmin):
    """Base for every Porchlight ModelAdmin (usable as a mixin in front of e.g. UserAdmin)."""

    # Lookup from this model to its Agency: "agency", "user__staff__agency", or "pk" for Agency.
    agency_path: str = "agency"
    # Roles that may open these pages. Empty means platform superusers only.
    view_roles: frozenset[str] = ALL_ROLES
    # Roles that may add, change and delete here.
    configure_roles: frozenset[str] = CONFIGURE_ROLES
    # Records kept by other flows (intake, the audit log): nobody edits them here, not even a
    # superuser.
    read_only: bool = False

    # --- which agency -----------------------------------------------------------------------
    def agency_of(self, obj: models.Model) -> Agency | None:
        if self.agency_path == "pk":
            return obj if isinstance(obj, Agency) else None
        value: Any = obj
        try:
            for part in self.agency_path.split("__"):
                value = getattr(value, part)
        except ObjectDoesNotExist:
            return None
        return value if isinstance(value, Agency) else None

    def in_scope(self, request: HttpRequest, obj: models.Model | None) -> bool:
        if obj is None or is_platform(request):
            return True
        agency = acting_agency(request)
        return agency is not None and self.agency_of(obj) == agency

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        queryset = super().get_queryset(request)
        if is_platform(request):
            return queryset
        agency = acting_agency(request)
        if agency is None:
            return queryset.none()
        lookup = "pk" if self.agency_path == "pk" else self.agency_path
        return queryset.filter(**{lookup: agency.pk})

    # --- what a role may do -----------------------------------------------------------------
    def _role(self, request: HttpRequest) -> str | None:
        staff = staff_of(request)
        return staff.role if staff is not None else None

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if is_platform(request):
            return True
        return self._role(request) in self.view_roles and self.in_scope(request, obj)

    def may_configure(self, request: HttpRequest, obj: Any = None) -> bool:
        if self.read_only:
            return False
        if is_platform(request):
            return True
        return self._role(request) in self.configure_roles and self.in_scope(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.may_configure(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.may_configure(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.may_configure(request, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    # --- forms ------------------------------------------------------------------------------
    def formfield_for_dbfield(
        self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if self.agency_path == "agency" and db_field.name == "agency" and not is_platform(request):
            # Staff never choose an agency: the field is fixed to theirs and hidden. It stays in
            # the form (rather than excluded) so unique (agency, code) checks still run, and a
            # tampered value fails as an invalid choice.
            agency = acting_agency(request)
            return forms.ModelChoiceField(
                queryset=scope_queryset(Agency.objects.all(), agency),
                initial=agency.pk if agency else None,
                widget=forms.HiddenInput,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField | None:
        if not is_platform(request):
            queryset = kwargs.get("queryset") or db_field.remote_field.model._default_manager.all()
            kwargs["queryset"] = scope_queryset(queryset, acting_agency(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField | None:
        if not is_platform(request):
            queryset = kwargs.get("queryset") or db_field.remote_field.model._default_manager.all()
            kwargs["queryset"] = scope_queryset(queryset, acting_agency(request))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_list_filter(self, request: HttpRequest) -> Any:
        filters = list(super().get_list_filter(request))
        if is_platform(request) and self.agency_path == "agency":
            filters.append("agency")
        return filters

    # --- saving, with the audit entry in the same transaction --------------------------------
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if self.agency_path == "agency" and not is_platform(request):
            obj.agency = acting_agency(request)
        super().save_model(request, obj, form, change)

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> list[dict[str, Any]]:
        # log_addition/log_change only receive Django's rendered message (verbose labels); the
        # audit entry wants field names. Every admin path that saves a form (change form,
        # list_editable, the user password form) builds this message right before logging.
        request._audit_fields = sorted(form.changed_data) if form is not None else []  # type: ignore[attr-defined]
        return super().construct_change_message(request, form, formsets, add)

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        self.audit(request, "admin.add", obj, {"fields": getattr(request, "_audit_fields", [])})
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        self.audit(request, "admin.change", obj, {"fields": getattr(request, "_audit_fields", [])})
        return super().log_change(request, obj, message)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            self.audit(request, "admin.delete", obj, {"repr": str(obj)})
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.audit(request, "admin.delete", obj, {"repr": str(obj)})
            super().delete_queryset(request, queryset)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        # delete_selected goes through delete_queryset, which is audited already.
        audited: dict[str, Any] = {}
        for key, action in actions.items():
            if action is None:
                continue
            func, name, description = action
            wrapped = func if key == "delete_selected" else self._audited(func, name)
            audited[key] = (wrapped, name, description)
        return audited

    def _audited(self, func: Callable[..., Any], name: str) -> Callable[..., Any]:
        @wraps(func)
        def run(
            modeladmin: AgencyScopedAdmin, request: HttpRequest, queryset: models.QuerySet[Any]
        ) -> Any:
            with transaction.atomic():
                selected = list(queryset)
                response = func(modeladmin, request, queryset)
                for obj in selected:
                    self.audit(request, f"admin.action.{name}", obj, {})
            return response

        return run

    def audit(
        self, request: HttpRequest, action: str, obj: models.Model, changes: dict[str, Any]
    ) -> None:
        record(
            action,
            request=request,
            agency=self.agency_of(obj),
            target=obj,
            changes=changes,
        )
