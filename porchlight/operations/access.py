"""Who may use the operations pages: the one place this app decides it.

- intake health (feeds, silences, worker lag, the quarantine summary): every staff role;
- retention (what is due, held and purged), litigation holds and public-records exports:
  agency admins and records staff, who answer for the agency's records;
- the retention period and the records schedule: agency admins.
Platform superusers may do everything, for the agency they pick.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from porchlight.agencies.models import Agency, Role
from porchlight.agencies.staff import staff_of, staff_required

RECORDS_ROLES = frozenset({Role.ADMIN, Role.RECORDS})


def can_keep_records(request: HttpRequest) -> bool:
    staff = staff_of(request)
    if staff is None:
        return bool(request.user.is_superuser)
    return staff.role in RECORDS_ROLES


def can_configure(request: HttpRequest) -> bool:
    staff = staff_of(request)
    if staff is None:
        return bool(request.user.is_superuser)
    return staff.can_configure


def ops_required(
    *, records: bool = False, configure: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @staff_required()
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if records and not can_keep_records(request):
                raise PermissionDenied
            if configure and not can_configure(request):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def acting_agency(request: HttpRequest) -> Agency | None:
    """The agency a records page acts for: the staff member's own; for a platform superuser,
    the one named by `agency` (slug) in the query or form, else None (the page asks)."""
    staff = staff_of(request)
    if staff is not None:
        return staff.agency
    slug = request.POST.get("agency") or request.GET.get("agency") or ""
    return Agency.objects.filter(slug=slug).first() if slug else None
