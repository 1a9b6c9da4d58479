"""Requests for assistance: a case, staff by role, residents with places, a request builder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from porchlight.agencies.models import Agency, Role
from porchlight.agencies.tests.conftest import make_user, other_agency, signed_in
from porchlight.assist import flow
from porchlight.assist.models import AssistanceRequest
from porchlight.cases.models import Case
from porchlight.community.tests.factories import make_place, make_resident

__all__ = ["other_agency", "signed_in"]

# Downtown Bakersfield.
LAT, LON = 35.3733, -119.0187


@pytest.fixture
def case(agency: Agency) -> Case:
    return Case.objects.create(agency=agency, number="C26-000101", source="rms")


@pytest.fixture
def detective(agency: Agency) -> Any:
    return make_user("dee", agency=agency, role=Role.DETECTIVE, totp=False)[0]


@pytest.fixture
def supervisor(agency: Agency) -> Any:
    return make_user("sam", agency=agency, role=Role.SUPERVISOR, totp=False)[0]


@pytest.fixture
def neighbor(agency: Agency) -> Callable[..., Any]:
    """A resident with a place at (lat, lon); returns the Place."""
    count = [0]

    def build(lat: float, lon: float, miles: float = 0.25, **extra: Any) -> Any:
        count[0] += 1
        resident = make_resident(agency, f"neighbor{count[0]}@example.org", **extra)
        return make_place(resident, lat, lon, miles)

    return build


@pytest.fixture
def draft(agency: Agency, case: Case, detective: Any) -> Callable[..., AssistanceRequest]:
    def build(**changes: Any) -> AssistanceRequest:
        now = timezone.now()
        values: dict[str, Any] = {
            "case_number": case.number,
            "center": (LAT, LON),
            "radius_m": 400,
            "neighborhood": "Downtown",
            "window_start": now - timedelta(days=1, hours=6),
            "window_end": now - timedelta(days=1),
            "incident_type": "Burglary",
            "description": "A garage break-in on the 1200 block; footage of the street, 2-4 AM.",
            "contact_name": "Det. Dee Ortiz",
            "contact_phone": "661-555-0199",
            "expires_at": now + timedelta(days=14),
            "actor": detective,
        }
        values.update(changes)
        return flow.create(agency, **values)

    return build


@pytest.fixture
def sent(
    draft: Callable[..., AssistanceRequest], detective: Any, supervisor: Any
) -> Callable[..., AssistanceRequest]:
    def build(**changes: Any) -> AssistanceRequest:
        item = draft(**changes)
        flow.submit(item, actor=detective)
        flow.approve(item, actor=supervisor)
        item.refresh_from_db()
        return item

    return build
