"""Admin for agencies, their codes, API keys and staff, and the auth pages Django and allauth add.

Every page is an AgencyScopedAdmin (admin_scope.py): scoped to the staff member's agency and
audited. The auth pages that come unscoped by default (users, groups, email addresses,
authenticators) are replaced or removed here.
"""

from __future__ import annotations

import secrets
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from porchlight.agencies.admin_scope import AgencyScopedAdmin, is_platform
from porchlight.agencies.models import (
    Agency,
    ApiKey,
    Disposition,
    PriorityCode,
    SingleSignOn,
    Staff,
    StatusCode,
)
from porchlight.calls import unmapped
from porchlight.calls.models import Status
from porchlight.notify import rules

User = get_user_model()


class ShowsSecretOnce(AgencyScopedAdmin):
    """After an add, show the new secret (an API key, a first password) on a page that works once.

    The secret waits in the server-side session between the POST and that page, and is popped
    when shown, so a reload or the back button cannot show it again.
    """

    secret_label: Any = _("Secret")
    secret_help: Any = ""

    def _secret_key(self, obj: Any) -> str:
        return f"porchlight.secret.{self.opts.label_lower}.{obj.pk}"

    def keep_secret(self, request: HttpRequest, obj: Any, secret: str) -> None:
        request.session[self._secret_key(obj)] = secret

    def _secret_url_name(self) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_secret"

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<path:object_id>/secret/",
                self.admin_site.admin_view(self.secret_view),
                name=self._secret_url_name(),
            )
        ] + super().get_urls()

    def response_add(
        self, request: HttpRequest, obj: Any, post_url_continue: str | None = None
    ) -> HttpResponse:
        if self._secret_key(obj) in request.session:
            return HttpResponseRedirect(reverse(f"admin:{self._secret_url_name()}", args=[obj.pk]))
        return super().response_add(request, obj, post_url_continue)

    def secret_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404
        secret = request.session.pop(self._secret_key(obj), None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "object": obj,
            "title": self.secret_label,
            "secret": secret,
            "secret_label": self.secret_label,
            "secret_help": self.secret_help,
            "extra": self.secret_extra(request, obj),
            "change_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk]
            ),
        }
        # 410 Gone once shown: the secret is not stored anywhere it could be shown from again.
        return TemplateResponse(
            request, "admin/porchlight/shown_once.html", context, status=200 if secret else 410
        )

    def secret_extra(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        return {}


@admin.register(Agency)
class AgencyAdmin(AgencyScopedAdmin):
    agency_path = "pk"
    list_display = ("name", "slug", "ori", "time_zone", "non_emergency_number")
    search_fields = ("name", "slug", "ori")
    fields = (
        "name", "sms_name", "slug", "ori", "time_zone", "non_emergency_number", "languages",
        "sensitive_terms", "created",
    )  # fmt: skip

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # The slug is in every API URL and the ORI routes consolidated feeds: changing either
        # breaks integrations, so only the platform operator may.
        return ("created",) if is_platform(request) else ("slug", "ori", "created")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_platform(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_platform(request)

    def save_model(self, request: HttpRequest, obj: Agency, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if not change:
                # A new agency texts its callers from the start: the default rules and
                # templates, which its admins then adjust (notify/rules.py).
                rules.install_defaults(obj)


@admin.register(PriorityCode)
class PriorityCodeAdmin(AgencyScopedAdmin):
    list_display = ("code", "rank", "label", "needs_mapping")
    list_filter = (("rank", admin.EmptyFieldListFilter),)
    search_fields = ("code", "label")
    fields = ("agency", "code", "rank", "label")

    @admin.display(boolean=True, description=_("Needs mapping"))
    def needs_mapping(self, obj: PriorityCode) -> bool:
        return obj.needs_mapping

    def save_model(self, request: HttpRequest, obj: PriorityCode, form: Any, change: bool) -> None:
        # The admin saves inside a transaction: the code first, then its calls (unmapped.py).
        super().save_model(request, obj, form, change)
        unmapped.reevaluate(obj)


class StatusCodeForm(forms.ModelForm):
    status = forms.ChoiceField(choices=Status.choices, label=_("Porchlight status"))

    class Meta:
        model = StatusCode
        fields = ("agency", "code", "status")


@admin.register(StatusCode)
class StatusCodeAdmin(AgencyScopedAdmin):
    form = StatusCodeForm
    list_display = ("code", "status")
    list_filter = ("status",)
    search_fields = ("code",)


@admin.register(Disposition)
class DispositionAdmin(AgencyScopedAdmin):
    list_display = ("code", "wording")
    search_fields = ("code",)


@admin.register(ApiKey)
class ApiKeyAdmin(ShowsSecretOnce):
    list_display = (
        "source",
        "prefix",
        "agency",
        "created",
        "created_by",
        "last_used_at",
        "revoked_at",
    )
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "source")
    search_fields = ("source", "prefix")
    actions = ["revoke"]
    secret_label = _("New API key")
    secret_help = _(
        "Copy this key into the CAD or RMS integration now. Porchlight stores only its SHA-256 "
        "hash, so it cannot show it again; if it is lost, revoke it and create another."
    )

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = ["agency", "source"]
        if is_platform(request):
            # Covering other agencies (consolidated dispatch) lets one key send their events,
            # so only the platform operator grants it.
            fields.append("also_covers")
        if obj is not None:
            fields += ["prefix", "created", "created_by", "last_used_at", "revoked_at"]
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return ["agency", "source", "prefix", "created", "created_by", "last_used_at", "revoked_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Keys are revoked, never deleted, so the audit trail can still name them.
        return False

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        raw = None
        if not change:
            raw = ApiKey.generate()
            obj.set_key(raw)
            obj.created_by = request.user  # type: ignore[assignment]  # staff-only view
        super().save_model(request, obj, form, change)
        if raw is not None:
            self.keep_secret(request, obj, raw)

    def secret_extra(self, request: HttpRequest, obj: ApiKey) -> dict[str, Any]:
        return {
            "endpoint": request.build_absolute_uri(f"/api/v1/agencies/{obj.agency.slug}/cad/events")
        }

    @admin.action(description=_("Revoke selected API keys"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request, _("Revoked %(count)d API key(s).") % {"count": count}, messages.SUCCESS
        )


class NewStaffForm(forms.ModelForm):
    """A new staff member: their user account and their membership of the agency, together."""

    username = forms.CharField(
        label=_("Username"), max_length=150, validators=[User.username_validator]
    )
    email = forms.EmailField(label=_("Email"))

    class Meta:
        model = Staff
        fields = ("agency", "role", "phone")

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("That username is taken."))
        return username

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if (
            User.objects.filter(email__iexact=email).exists()
            or EmailAddress.objects.filter(email__iexact=email).exists()
        ):
            raise forms.ValidationError(_("An account with that email address exists already."))
        return email


@admin.register(Staff)
class StaffAdmin(ShowsSecretOnce):
    list_display = ("user", "email", "role", "agency", "has_mfa")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email", "user__first_name", "user__last_name")
    list_select_related = ("user", "agency")
    secret_label = _("First password")
    secret_help = _(
        "Give this password to the new staff member in person. They sign in with it and must "
        "then set up an authenticator app. It is not stored and cannot be shown again."
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Staff]:
        totp = Authenticator.objects.filter(user=OuterRef("user"), type=Authenticator.Type.TOTP)
        return super().get_queryset(request).annotate(mfa=Exists(totp))

    @admin.display(description=_("Email"), ordering="user__email")
    def email(self, obj: Staff) -> str:
        return obj.user.email

    @admin.display(boolean=True, description=_("Authenticator app"), ordering="mfa")
    def has_mfa(self, obj: Staff) -> bool:
        return bool(getattr(obj, "mfa", False))

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = NewStaffForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["username", "email", "agency", "role", "phone"]
        return ["user", "agency", "role", "phone"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if obj is None else ["user"]

    def save_model(self, request: HttpRequest, obj: Staff, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        password = secrets.token_urlsafe(12)
        with transaction.atomic():
            user = User.objects.create_user(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=password,
                is_staff=True,
            )
            # The agency admin vouches for the address, so allauth's mandatory verification
            # does not stop the first sign-in.
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            obj.user = user
            super().save_model(request, obj, form, change)
        self.keep_secret(request, obj, password)

    # Staff.delete() and StaffQuerySet.delete() close the user account in the same transaction
    # (so a shell delete does too); here each closed account also gets its own audit entry,
    # inside the mixin's transaction, next to the "admin.delete" one.
    def delete_model(self, request: HttpRequest, obj: Staff) -> None:
        with transaction.atomic():
            self._audit_closed_account(request, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Staff]) -> None:
        with transaction.atomic():
            for obj in queryset:
                self._audit_closed_account(request, obj)
            super().delete_queryset(request, queryset)

    def _audit_closed_account(self, request: HttpRequest, obj: Staff) -> None:
        self.audit(
            request,
            "staff.account_closed",
            obj,
            {"user": obj.user_id, "is_active": False, "is_staff": False},
        )


admin.site.unregister(User)


@admin.register(User)
class ScopedUserAdmin(AgencyScopedAdmin, UserAdmin):
    """Users of the staff member's own agency; superusers see everyone."""

    agency_path = "staff__agency"
    # Plain multiple selects: the stock two-box filter widget's search icons carry an
    # aria-label on a bare <span>, which axe rejects (aria-prohibited-attr).
    filter_horizontal = ()
    staff_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and not is_platform(request):
            # No permissions, groups, is_staff or is_superuser: an agency admin cannot raise
            # anyone above their agency, themselves included.
            return self.staff_fieldsets
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if is_platform(request):
            # Recorded by the system, never typed: shown as text, not as Django's split date
            # and time inputs (which have no labels of their own).
            return (*super().get_readonly_fields(request, obj), "last_login", "date_joined")
        return ("username", "last_login", "date_joined")

    def get_list_filter(self, request: HttpRequest) -> Any:
        return ("is_staff", "is_superuser", "is_active") if is_platform(request) else ("is_active",)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        # Staff of an agency are added on the Staff page, which creates the user with them.
        return is_platform(request)


admin.site.unregister(Group)  # roles live on Staff; groups would be shared by every agency


admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class ScopedEmailAddressAdmin(AgencyScopedAdmin):
    agency_path = "user__staff__agency"
    list_display = ("email", "user", "primary", "verified")
    list_filter = ("primary", "verified")
    search_fields = ("email", "user__username")
    raw_id_fields = ("user",)


admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class ScopedAuthenticatorAdmin(AgencyScopedAdmin):
    """Superusers only, and never the secret: they may look and delete (to reset a lost phone)."""

    agency_path = "user__staff__agency"
    view_roles = frozenset()
    configure_roles = frozenset()
    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type",)
    search_fields = ("user__username",)
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SingleSignOnForm(forms.ModelForm):
    issuer = forms.URLField(
        label=_("issuer URL"),
        assume_scheme="https",
        help_text=_("The provider's issuer, e.g. https://login.example.gov/realms/pd."),
    )
    client_secret = forms.CharField(
        label=_("client secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "Kept encrypted and never shown again. Leave empty to keep the current one. "
            "An operator may set PORCHLIGHT_OIDC_SECRET_<SLUG> instead (docs/operators.md)."
        ),
    )

    class Meta:
        model = SingleSignOn
        fields = ("agency", "name", "issuer", "client_id", "client_secret", "enabled")


@admin.register(SingleSignOn)
class SingleSignOnAdmin(AgencyScopedAdmin):
    """An agency admin (or a platform superuser) connects the agency's identity provider."""

    form = SingleSignOnForm
    list_display = ("name", "agency", "issuer", "client_id", "enabled")
    # The issuer and client id are configuration, the same as the rest; only admins open it.
    view_roles = frozenset({"admin"})

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        raw = form.cleaned_data.get("client_secret") or ""
        if raw:
            obj.set_secret(raw)
        super().save_model(request, obj, form, change)


# allauth's social-account admin, Porchlight's way: provider apps come from Single sign-on
# (never stored as SocialApp rows) and tokens are not kept (SOCIALACCOUNT_STORE_TOKENS off),
# so those two pages go; the SSO links stay, scoped to the agency, for an admin to remove one.
# Imported first so its registrations exist to undo: autodiscovery reaches this app before it.
import allauth.socialaccount.admin  # noqa: E402,F401

for _model in (SocialApp, SocialToken, SocialAccount):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(SocialAccount)
class SsoLinkAdmin(AgencyScopedAdmin):
    agency_path = "user__staff__agency"
    view_roles = frozenset({"admin"})
    list_display = ("user", "provider", "uid", "last_login")
    fields = ("user", "provider", "uid", "last_login", "date_joined")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # links are made by signing in through the agency's provider only

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
