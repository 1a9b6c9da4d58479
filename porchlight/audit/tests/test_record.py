"""record() keeps who did what, to what, when and from where."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from porchlight.agencies.models import Agency, PriorityCode, Role, Staff
from porchlight.audit.log import record
from porchlight.audit.models import AuditEntry


def test_record_from_a_request(agency: Agency) -> None:
    user = get_user_model().objects.create_user("ada", "ada@example.org", "x" * 16)
    Staff.objects.create(user=user, agency=agency, role=Role.ADMIN)
    code = PriorityCode.objects.get(agency=agency, code="2")
    request = RequestFactory().post(
        "/admin/",
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT="Firefox/140",
        HTTP_X_FORWARDED_FOR="10.9.9.9",
    )
    request.user = user

    with time_machine.travel(datetime(2026, 11, 22, 22, 14, 5, tzinfo=UTC), tick=False):
        record("priority.change", request=request, target=code, changes={"fields": ["rank"]})

    entry = AuditEntry.objects.get()
    assert entry.actor_id == user.pk
    assert entry.actor_label == "ada"
    assert entry.agency_id == agency.pk  # from the actor's staff membership
    assert entry.action == "priority.change"
    assert (entry.target_type, entry.target_id) == ("agencies.prioritycode", str(code.pk))
    assert entry.changes == {"fields": ["rank"]}
    assert entry.at == datetime(2026, 11, 22, 22, 14, 5, tzinfo=UTC)
    # REMOTE_ADDR, not the forgeable X-Forwarded-For.
    assert entry.ip == "203.0.113.9"
    assert entry.user_agent == "Firefox/140"


def test_record_by_a_system_component(agency: Agency) -> None:
    entry = record("intake.replay", actor_label="worker", agency=agency)
    entry.refresh_from_db()
    assert entry.actor_id is None
    assert entry.actor_label == "worker"
    assert entry.agency_id == agency.pk
    assert entry.ip is None
