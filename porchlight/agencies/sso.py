"""Staff single sign-on through each agency's OpenID Connect provider (allauth's
openid_connect provider, configured per agency by agencies.models.SingleSignOn).

The rules, all here:
- a provider sign-in reaches an existing staff member only: same agency as the provider, an
  email the provider marks verified (`email_verified`), equal to a verified email of the staff
  member's account. Nothing is ever created: no user, no staff row, no role;
- after the provider, allauth's own second-factor step runs (the user has an authenticator:
  staff must), and StaffMfaMiddleware still signs out any staff session without it;
- a refusal is a plain 403 page with the reason, and an audit entry.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from django.http import HttpRequest, HttpResponseForbidden
from django.utils.translation import gettext as _

from porchlight.agencies.models import SingleSignOn, Staff
from porchlight.audit.log import record

PREFIX = "agency-"


def app_for(sso: SingleSignOn) -> SocialApp:
    """The unsaved SocialApp allauth works with: built per request, never stored, so the
    secret stays encrypted at rest (or in the environment)."""
    return SocialApp(
        provider="openid_connect",
        provider_id=sso.provider_id,
        name=sso.name,
        client_id=sso.client_id,
        secret=sso.secret(),
        settings={"server_url": sso.issuer, "agency": sso.agency.slug},
    )


def _configured(provider: str | None, client_id: str | None) -> list[SocialApp]:
    qs = SingleSignOn.objects.filter(enabled=True).select_related("agency")
    if provider and provider != "openid_connect":
        if not provider.startswith(PREFIX):
            return []
        qs = qs.filter(agency__slug=provider.removeprefix(PREFIX))
    if client_id:
        qs = qs.filter(client_id=client_id)
    return [app_for(sso) for sso in qs]


def _refuse(request: HttpRequest, reason: str, sociallogin: SocialLogin, agency: Any) -> None:
    record(
        "sso.refused",
        request=request,
        actor_label=f"sso {sociallogin.account.provider}",
        agency=agency,
        changes={"reason": reason},
    )
    message = _(
        "This sign-in is not linked to a staff account here. Ask your agency's Porchlight "
        "administrator: your account's email must match the one your agency signs you in with."
    )
    raise ImmediateHttpResponse(HttpResponseForbidden(message, content_type="text/plain"))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(
        self, request: HttpRequest, provider: Any = None, client_id: Any = None
    ) -> list[SocialApp]:
        return [*super().list_apps(request, provider, client_id), *_configured(provider, client_id)]

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False  # never create an account from a provider sign-in

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        slug = (sociallogin.account.provider or "").removeprefix(PREFIX)
        sso = SingleSignOn.objects.filter(agency__slug=slug, enabled=True).select_related("agency").first()  # fmt: skip
        if sso is None:
            _refuse(request, "no provider", sociallogin, None)
            return
        agency = sso.agency
        if sociallogin.is_existing:
            user = sociallogin.user
            if not Staff.objects.filter(user=user, agency=agency, user__is_active=True).exists():
                _refuse(request, "linked account is not staff here", sociallogin, agency)
            return
        verified = [a.email.lower() for a in sociallogin.email_addresses if a.verified]
        if not verified:
            _refuse(request, "no verified email", sociallogin, agency)
            return
        match = (
            EmailAddress.objects.filter(
                email__iexact=verified[0],
                verified=True,
                user__staff__agency=agency,
                user__is_active=True,
            )
            .select_related("user")
            .first()
        )
        if match is None:
            _refuse(request, "no staff member with that email", sociallogin, agency)
            return
        sociallogin.connect(request, match.user)
        record(
            "sso.linked",
            request=request,
            actor=match.user,
            agency=agency,
            target=match.user,
            changes={"provider": sso.provider_id},
        )
