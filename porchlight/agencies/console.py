"""What every staff console page shares: the agency scope, the permission flags, the page.

Every console query goes through `scoped`, so staff only ever see their own agency; platform
superusers see every agency.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from porchlight.agencies.staff import agency_scope, staff_of


def scoped(request: HttpRequest, qs: QuerySet[Any]) -> QuerySet[Any]:
    scope = agency_scope(request)
    return qs if scope is None else qs.filter(agency=scope)


def perms(request: HttpRequest) -> dict[str, bool]:
    staff = staff_of(request)
    return {
        "can_write": staff.can_write if staff is not None else request.user.is_superuser,
        "can_configure": staff.can_configure if staff is not None else request.user.is_superuser,
        "all_agencies": agency_scope(request) is None,
    }


def scope_context(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the agency the console header names, on every page, including those
    rendered without `page` (their own view context still wins). Without it a detective's or a
    records clerk's header read "All agencies"."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    staff = staff_of(request)
    if staff is not None:
        return {"scope": staff.agency}
    return {"scope": None} if user.is_superuser else {}  # residents: no console header


def page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    scope = agency_scope(request)
    context = {**perms(request), "scope": scope, **context}
    if scope is None:
        return render(request, template, context, status=status)
    # Staff read times on their agency's clock, whatever the server's time zone.
    with timezone.override(scope.tz):
        return render(request, template, context, status=status)


def next_url(request: HttpRequest, default: str) -> str:
    """The form's `next`, when it points back into this site; else `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return default
