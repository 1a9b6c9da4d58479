"""Who may use the operations pages: the one place this app decides it.

- intake health (feeds, silences, worker lag, the quarantine summary): every staff role;
- retention (what is due, held and purged), litigation holds and public-records exports:
  agency admins and records staff, who answer for the agency's records;
- the retention period and the records schedule: agency admins.
Platform superusers may do everything, for the agency they pick.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from porchlight.agencies.models import Agency
from porchlight.agencies.permissions import MATRIX, Cap, requires
from porchlight.agencies.staff import staff_of

RECORDS_ROLES = MATRIX[Cap.RECORDS]


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
    """The permission matrix's capability for an operations page (agencies/permissions.py):
    agency configuration, else keeping records, else any staff role."""
    cap = Cap.CONFIGURE if configure else Cap.RECORDS if records else Cap.CONSOLE
    return requires(cap)


def acting_agency(request: HttpRequest) -> Agency | None:
    """The agency a records page acts for: the staff member's own; for a platform superuser,
    the one named by `agency` (slug) in the query or form, else None (the page asks)."""
    staff = staff_of(request)
    if staff is not None:
        return staff.agency
    slug = request.POST.get("agency") or request.GET.get("agency") or ""
    return Agency.objects.filter(slug=slug).first() if slug else None
