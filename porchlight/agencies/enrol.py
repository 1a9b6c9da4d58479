"""Enrolling an authenticator app, wired at allauth's own URL and name (mfa_activate_totp).

A valid code typed at enrolment proves the user holds the second factor, so it is recorded as
the session's MFA authentication; without it StaffMfaMiddleware would sign a new staff member
out straight after enrolment and make them sign in again with password and code.

Why a subclass of allauth's view rather than another hook: allauth 65.21's MFA adapter has no
hook on activation, and its `authenticator_added` signal fires from transaction.on_commit,
away from the response (and Porchlight keeps core flow out of signals). The subclass keeps
allauth's checks (re-authentication, "already enrolled", add-not-allowed) and its activation
flow untouched, and adds the record and the return to the page the user asked for.
"""

from __future__ import annotations

from typing import Any

from allauth.account.internal.flows.login import record_authentication
from allauth.account.utils import get_next_redirect_url
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.views import ActivateTOTPView
from django.http import HttpRequest, HttpResponse

NEXT_SESSION_KEY = "porchlight.enrol.next"


class EnrolTOTPView(ActivateTOTPView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # allauth's form posts to the bare URL, dropping ?next=, so the page the user asked for
        # waits in the session (only if allauth's is_safe_url accepts it).
        next_url = get_next_redirect_url(request)
        if next_url:
            request.session[NEXT_SESSION_KEY] = next_url
        return super().get(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = self.request.user
        totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        # The same record allauth's own code step writes (method "mfa", with the type and id).
        record_authentication(self.request, user, "mfa", id=totp.pk, type=totp.type)
        return response

    def get_success_url(self) -> str:
        # Straight on to the staff page that sent them here; the recovery codes stay on the
        # two-factor page (/accounts/2fa/) for later.
        next_url = self.request.session.pop(NEXT_SESSION_KEY, None)
        return get_next_redirect_url(self.request) or next_url or super().get_success_url()


activate_totp = EnrolTOTPView.as_view()
