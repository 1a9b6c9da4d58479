"""Each limit refuses a request past it, and an agency's policy tightens (never loosens)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from porchlight.assist import limits
from porchlight.assist.models import AssistanceRequest, Policy

from .conftest import LAT, LON


def square(side_deg: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[
            [LON, LAT], [LON + side_deg, LAT], [LON + side_deg, LAT + side_deg],
            [LON, LAT + side_deg], [LON, LAT],
        ]],
    }  # fmt: skip


def test_the_defaults_hold_at_their_edge(draft):
    now = timezone.now()
    item = draft(radius_m=805, window_start=now - timedelta(hours=12), window_end=now,
                 expires_at=now + timedelta(days=30) - timedelta(seconds=5))  # fmt: skip
    assert item.radius_m == 805 and item.retention_days == 30


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"radius_m": 806}, "radius_m"),
        ({"radius_m": 0}, "radius_m"),
        ({"window_hours": 12.1}, "window_end"),
        ({"expires_days": 30.01}, "expires_at"),
        ({"expires_days": -1}, "expires_at"),
        ({"polygon": square(0.02), "center": None, "radius_m": None}, "polygon"),
        ({"polygon": {"type": "Point", "coordinates": [1, 2]}, "center": None, "radius_m": None},
         "polygon"),
        ({"case_number": "C26-999999"}, "case_number"),
    ],
    ids=["radius", "zero radius", "window", "expiry", "expiry past", "polygon too big",
         "not a polygon", "unknown case"],
)  # fmt: skip
def test_each_limit_refuses(draft, changes, field):
    now = timezone.now()
    if "window_hours" in changes:
        changes["window_start"] = now - timedelta(hours=changes.pop("window_hours"))
        changes["window_end"] = now
    if "expires_days" in changes:
        changes["expires_at"] = now + timedelta(days=changes.pop("expires_days"))
    with pytest.raises(limits.LimitExceeded) as refused:
        draft(**changes)
    assert refused.value.field == field
    assert not AssistanceRequest.objects.exists()


def test_a_small_polygon_is_accepted(draft):
    # 0.01° is about 1.1 km by 0.9 km here: ~1 km², under the 2.03 km² cap.
    item = draft(polygon=square(0.01), center=None, radius_m=None)
    assert item.polygon is not None and item.radius_m is None and item.center_lat is None


def test_a_case_of_another_agency_does_not_count(draft, other_agency):
    from porchlight.cases.models import Case

    Case.objects.create(agency=other_agency, number="K26-1", source="rms")
    with pytest.raises(limits.LimitExceeded):
        draft(case_number="K26-1")


def test_a_policy_tightens_each_limit(agency, draft):
    Policy.objects.create(agency=agency, max_radius_m=200, max_window_hours=4,
                          max_expiry_days=7, retention_days=10)  # fmt: skip
    now = timezone.now()
    for changes in (
        {"radius_m": 201},
        {"window_start": now - timedelta(hours=5), "window_end": now},
        {"expires_at": now + timedelta(days=8)},
        # A polygon larger than the policy's largest circle (π × 200² m² ≈ 0.126 km²).
        {"polygon": square(0.005), "center": None, "radius_m": None},
    ):
        with pytest.raises(limits.LimitExceeded):
            draft(**changes)
    item = draft(radius_m=200, window_start=now - timedelta(hours=4), window_end=now,
                 expires_at=now + timedelta(days=6))  # fmt: skip
    assert item.retention_days == 10


def test_a_policy_cannot_loosen(agency):
    policy = Policy(agency=agency, max_radius_m=2000)
    with pytest.raises(ValidationError):
        policy.full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        Policy.objects.create(agency=agency, max_expiry_days=60)
    # Even a looser row that got in some other way is read as the default.
    Policy.objects.create(agency=agency)
    Policy.objects.filter(agency=agency).update(retention_days=20)
    assert limits.limits_for(agency).max_radius_m == 805
    assert limits.limits_for(agency).retention_days == 20


def test_window_in_the_future_is_refused(draft):
    now = timezone.now()
    with pytest.raises(limits.LimitExceeded):
        draft(window_start=now + timedelta(hours=1), window_end=now + timedelta(hours=2))
