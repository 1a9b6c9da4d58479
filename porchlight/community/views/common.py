"""What every community page shares: the agency from the URL, the signed-in resident, and
the disclaimers (not 911, not monitored around the clock, the non-emergency number, and the
online report form when that feature is installed)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from porchlight.agencies.models import Agency
from porchlight.community.models import Resident
from porchlight.notify import pii


def agency_or_404(slug: str) -> Agency:
    return get_object_or_404(Agency, slug=slug)


def report_form_url(agency: Agency) -> str | None:
    """The online report form (C9): the agency's page of report kinds (reports/urls.py names
    its paths without a namespace). None, so no link, if the reports app's URLs are gone."""
    try:
        return reverse("report_choose", args=[agency.slug])
    except NoReverseMatch:
        return None


def disclaimers(agency: Agency) -> dict[str, Any]:
    number = agency.non_emergency_number
    return {
        "agency": agency,
        "phone": number,
        "phone_href": pii.normalize_phone(number)
        or "".join(c for c in number if c.isdigit() or c == "+"),
        "report_url": report_form_url(agency),
    }


def page(
    request: HttpRequest,
    agency: Agency,
    template: str,
    context: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    resident = getattr(request, "resident", None)
    # Times on the agency's clock: "11pm" in a post means the neighbourhood's 11pm.
    with timezone.override(agency.tz):
        response = render(
            request,
            template,
            {**disclaimers(agency), "resident": resident, **(context or {})},
            status=status,
        )
    # Pages differ by who is signed in: never cached for someone else.
    response["Cache-Control"] = "private, no-store"
    return response


def resident_of(request: HttpRequest, agency: Agency) -> Resident | None:
    if not request.user.is_authenticated:
        return None
    resident: Resident | None = getattr(request.user, "resident", None)
    if resident is None or resident.agency_id != agency.pk:
        return None
    return resident


def signin_url(next_path: str, agency: Agency | None = None) -> str:
    """The community's own sign-in (not the staff one, which asks for an authenticator app),
    back to `next_path` after it. Pages with no agency in their address (/me/…) use the only
    agency's, or the list of agencies when a deployment serves several."""
    if agency is None:
        agencies = list(Agency.objects.order_by("pk")[:2])
        if len(agencies) != 1:
            return reverse("community:index")
        agency = agencies[0]
    signin = reverse("community:signin", args=[agency.slug])
    return f"{signin}?{urlencode({'next': next_path}, safe='/')}"


def resident_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """`login_required` for residents' pages with no agency in their address: a signed-out
    visitor goes to the community's sign-in (`signin_url`) and comes back."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(signin_url(request.path))
        return view(request, *args, **kwargs)

    return wrapper


def resident_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Resident pages: a signed-in resident of the agency in the URL.

    Anonymous visitors go to the community's own sign-in (not the staff one, which asks for an
    authenticator app), and come back here after it; a signed-in account that is not this agency's resident
    (staff, or another agency's resident) gets 404, so the page reveals nothing to them."""

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        agency = agency_or_404(slug)
        if not request.user.is_authenticated:
            return redirect(signin_url(request.path, agency))
        resident = resident_of(request, agency)
        if resident is None:
            raise Http404
        request.resident = resident  # type: ignore[attr-defined]
        return view(request, agency, resident, *args, **kwargs)

    return wrapper
