"""Joining an agency's community, the resident's account page, export and deletion."""

from __future__ import annotations

import json

from allauth.account.views import LoginView, SignupView
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from porchlight.agencies.models import Agency
from porchlight.community import account
from porchlight.community.forms import DeleteAccountForm, ProfileForm
from porchlight.community.models import Resident
from porchlight.community.views.common import (
    agency_or_404,
    disclaimers,
    page,
    resident_of,
    resident_required,
)


@require_http_methods(["GET", "HEAD", "POST"])
def join(request: HttpRequest, slug: str) -> HttpResponse:
    """allauth's signup (email, password, verification email), opened for this agency only:
    accounts/ResidentAccountAdapter reads `community_agency` and makes the account a
    resident."""
    agency = agency_or_404(slug)
    if request.user.is_authenticated:
        if resident_of(request, agency) is not None:
            return redirect("community:feed", agency.slug)
        messages.info(request, _("You are signed in with an account that cannot join."))
        return redirect("community:home", agency.slug)
    request.community_agency = agency  # type: ignore[attr-defined]
    view = SignupView.as_view(
        template_name="community/join.html", extra_context=disclaimers(agency)
    )
    response: HttpResponse = view(request)
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def signin(request: HttpRequest, slug: str) -> HttpResponse:
    """allauth's sign-in in the community's layout; the adapter sends a resident to their feed
    (and staff who sign in here on to the console's usual MFA)."""
    agency = agency_or_404(slug)
    if resident_of(request, agency) is not None:
        return redirect("community:feed", agency.slug)
    view = LoginView.as_view(
        template_name="community/signin.html", extra_context=disclaimers(agency)
    )
    response: HttpResponse = view(request)
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Which agency's community: one agency goes straight there, several are listed."""
    agencies = list(Agency.objects.order_by("name"))
    if len(agencies) == 1:
        return redirect("community:home", agencies[0].slug)
    return render(request, "community/index.html", {"agencies": agencies})


@require_safe
def home(request: HttpRequest, slug: str) -> HttpResponse:
    """The community's front door: residents go to their feed; others read what it is."""
    agency = agency_or_404(slug)
    if resident_of(request, agency) is not None:
        return redirect("community:feed", agency.slug)
    return page(request, agency, "community/home.html")


@require_http_methods(["GET", "HEAD", "POST"])
@resident_required
def profile(request: HttpRequest, agency: Agency, resident: Resident) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=resident)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect("community:account", agency.slug)
    return page(request, agency, "community/account.html", {"form": form, "section": "account"})


@require_safe
@resident_required
def export(request: HttpRequest, agency: Agency, resident: Resident) -> HttpResponse:
    data = account.export(resident)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="porchlight-{agency.slug}-{day}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@resident_required
def delete(request: HttpRequest, agency: Agency, resident: Resident) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account.delete_account(resident, request)
        logout(request)
        messages.success(request, _("Your account and everything it held are deleted."))
        return redirect(reverse("community:home", args=[agency.slug]))
    return page(request, agency, "community/delete.html", {"form": form})


__all__ = ["delete", "export", "home", "index", "join", "profile", "signin"]
