"""Staff access: who is staff, required MFA, and the agency a request acts for.

allauth has no "MFA required" switch, and its admin login only checks is_staff, so the rule is
enforced here for every staff page (the console and the Django admin):
- a staff member without TOTP is sent to enrol before anything else;
- a staff session that signed in without a second factor is signed out;
- staff cannot remove their own authenticator (allauth's deactivate page); a platform
  superuser resets a lost one in the admin.

The first sign-in asks for the password once: enrolment right after signing in skips allauth's
re-authentication (AccountAdapter below), and a valid code at enrolment counts as the session's
second factor (porchlight.agencies.enrol).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from porchlight import proxy
from porchlight.agencies.models import Agency, Staff

STAFF_PREFIXES = ("/console/", "/admin/")
# Public, read-only API paths: anyone may read them and the answer is the same whoever asks
# (the public map's GeoJSON). The staff middlewares leave them alone and read neither the
# session nor the user there, so a signed-in visitor's request costs no SQL of theirs and the
# answer carries no `Vary: Cookie` (a shared cache may serve it to anyone). A staff member's
# request here is not console activity: it does not restart the idle clock (docs/operators.md,
# "Idle sessions").
PUBLIC_READ_ONLY_PREFIXES = ("/api/v1/map/",)


def is_public_read_only(request: HttpRequest) -> bool:
    return request.method in ("GET", "HEAD") and request.path.startswith(PUBLIC_READ_ONLY_PREFIXES)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Staff accounts are created by agency admins. Resident signup opens with the community
        # feature, which will decide this per account type.
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's rate limits (sign-in, password reset, MFA codes) key on this: the client
        # behind the trusted proxies (porchlight/proxy.py), the same address every other
        # limit uses, not allauth's own reading of X-Forwarded-For.
        ip = proxy.client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        required = super().is_reauthentication_required(app=app, **kwargs)
        if required and app == "allauth.mfa" and self._enrolling_just_after_sign_in():
            return False
        return required

    def _enrolling_just_after_sign_in(self) -> bool:
        """A user with no authenticator yet who signed in less than the re-authentication
        timeout ago (ACCOUNT_REAUTHENTICATION_TIMEOUT, 300 s by default).

        allauth only counts explicit re-authentications as recent, so without this a new staff
        member types the password they typed seconds ago again before enrolling. With no
        authenticator, the only MFA change open to them is adding the first one, and the
        password would prove nothing new. Older sessions are still asked, and so is anyone who
        already has an authenticator (changing or removing it).
        """
        request = self.request
        if request is None or not request.user.is_authenticated:
            return False
        if Authenticator.objects.filter(user=request.user).exists():
            return False
        records = get_authentication_records(request, request.user)
        if not records:
            return False
        last = max(record["at"] for record in records)
        return time.time() - last < account_settings.REAUTHENTICATION_TIMEOUT


def is_staff_user(user: Any) -> bool:
    return bool(
        user.is_authenticated and (user.is_superuser or user.is_staff or hasattr(user, "staff"))
    )


def has_totp(user: Any) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def signed_in_with_mfa(request: HttpRequest) -> bool:
    records = get_authentication_records(request, request.user)
    return any(r.get("method") == "mfa" for r in records)


class StaffMfaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_public_read_only(request):
            return self.get_response(request)
        if request.path == reverse("mfa_deactivate_totp") and is_staff_user(request.user):
            messages.error(
                request,
                _(
                    "Staff accounts must keep their authenticator app. If you lost it, ask a platform administrator to reset it."
                ),
            )
            return redirect("mfa_index")
        if request.path.startswith(STAFF_PREFIXES) and is_staff_user(request.user):
            if not has_totp(request.user):
                messages.info(
                    request, _("Staff accounts need an authenticator app. Set it up to continue.")
                )
                return redirect(f"{reverse('mfa_activate_totp')}?next={request.path}")
            if not signed_in_with_mfa(request):
                logout(request)
                messages.warning(request, _("Sign in again with your authenticator code."))
                return redirect(f"{reverse('account_login')}?next={request.path}")
        return self.get_response(request)


IDLE_SESSION_KEY = "porchlight.last_seen"


class StaffIdleMiddleware:
    """A staff session that sits idle longer than STAFF_IDLE_MINUTES is signed out.

    A console left open on a shared desk is a window onto callers' and victims' data. Each staff
    request stamps the session; the next request after the idle window signs out and sends the
    person to sign in again (password and second factor), back to the page they asked for.
    The stamp is written at most once a minute, so idle time is exact to within that minute.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_public_read_only(request):
            # Not activity: reading the public map neither stamps nor ends a staff session.
            return self.get_response(request)
        if is_staff_user(request.user):
            now = time.time()
            last = request.session.get(IDLE_SESSION_KEY)
            limit = float(settings.STAFF_IDLE_MINUTES) * 60
            if isinstance(last, (int, float)) and now - last > limit:
                logout(request)
                messages.info(request, _("You were signed out after a time without activity."))
                return redirect(f"{reverse('account_login')}?next={request.path}")
            if not isinstance(last, (int, float)) or now - last >= 60:
                request.session[IDLE_SESSION_KEY] = now
        response = self.get_response(request)
        # The request that signs in (the second-factor step) starts the clock.
        if is_staff_user(request.user) and IDLE_SESSION_KEY not in request.session:
            request.session[IDLE_SESSION_KEY] = time.time()
        return response


class StaffTimeZoneMiddleware:
    """Staff read times on their agency's clock on every page, the Django admin included.

    The server's zone is UTC; a dispatcher in Bakersfield reading "20:14" for a call taken at
    12:14 misreads it. Each request from an agency's staff activates the agency's zone, so
    every datetime a template or the admin shows (and every datetime typed into an admin form)
    is local; the formats in porchlight/formats/ print the zone beside it. Platform superusers,
    who see every agency, stay on UTC, also shown.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Public read-only answers are the same for everyone (UTC times), so no user is read.
        staff = None if is_public_read_only(request) else staff_of(request)
        if staff is None:
            return self.get_response(request)
        timezone.activate(staff.agency.tz)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def staff_of(request: HttpRequest) -> Staff | None:
    return getattr(request.user, "staff", None) if request.user.is_authenticated else None


def agency_scope(request: HttpRequest) -> Agency | None:
    """The agency a staff request acts for; None means every agency (platform superuser)."""
    staff = staff_of(request)
    if staff is not None:
        return staff.agency
    if request.user.is_superuser:
        return None
    raise PermissionDenied


def staff_required(
    *, write: bool = False, configure: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Console views: signed-in staff of an agency (MFA is enforced by the middleware).

    Kept for pages written before the permission matrix: it is `permissions.requires` with the
    matching capability, so such a page is still in the matrix and its test. New pages name
    their own capability with `requires(Cap.X)`.
    """
    from porchlight.agencies.permissions import Cap, requires

    cap = Cap.CONFIGURE if configure else Cap.CHANGE if write else Cap.CONSOLE
    return requires(cap)
