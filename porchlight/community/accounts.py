"""Resident accounts through allauth, kept apart from staff accounts.

The staff adapter (agencies/staff.py) closes signup: staff are created by agency admins. This
adapter opens it only on an agency's community join page (views/accounts.py sets
`request.community_agency`), and every account made there is a Resident and nothing else:
never is_staff, never a Staff row. The same email cannot be both (allauth's unique email
check covers staff accounts too), so a resident can never reach the console by signing up.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from porchlight.agencies.models import Agency
from porchlight.agencies.staff import AccountAdapter
from porchlight.community.models import Resident


def joining_agency(request: HttpRequest | None) -> Agency | None:
    """The agency whose community this request is joining, if it comes from a join page."""
    agency = getattr(request, "community_agency", None)
    return agency if isinstance(agency, Agency) else None


class ResidentAccountAdapter(AccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return joining_agency(request) is not None

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        agency = joining_agency(request)
        assert agency is not None  # is_open_for_signup() let nothing else through
        with transaction.atomic():
            user = super().save_user(request, user, form, commit=False)
            # Belt and braces: a resident account has no staff powers whatever the form held.
            user.is_staff = False
            user.is_superuser = False
            user.save()
            Resident.objects.create(
                user=user, agency=agency, language=translation.get_language() or "en"
            )
        return user

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        resident = getattr(request.user, "resident", None)
        if resident is not None and not hasattr(request.user, "staff"):
            return reverse("community:feed", args=[resident.agency.slug])
        return str(super().get_login_redirect_url(request))

    def get_email_verification_redirect_url(self, email_address: Any) -> str | None:
        resident = getattr(email_address.user, "resident", None)
        if resident is not None:
            return reverse("community:feed", args=[resident.agency.slug])
        return super().get_email_verification_redirect_url(email_address)  # type: ignore[no-any-return]
