"""Each page that shows personal data writes an audit entry for the read."""

from __future__ import annotations

from typing import Any

import pytest

from porchlight.agencies.models import Role
from porchlight.agencies.tests.conftest import make_user
from porchlight.agencies.tests.test_permission_matrix import mfa_client
from porchlight.audit.log import PII_ACTIONS
from porchlight.audit.models import AuditEntry


@pytest.fixture
def demo(db: None, settings: Any, tmp_path: Any) -> Any:
    from porchlight.demo.seed import seed

    settings.VAR_DIR = tmp_path
    return seed(history_days=0.5)


def client_for(agency: Any, role: str) -> Any:
    user, _ = make_user(f"u-{role}", agency=agency, role=role)
    return mfa_client(user)


def pii_entries(**filters: Any) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="pii.viewed", **filters))


@pytest.mark.django_db
def test_moderating_a_post_records_the_residents_identity_read(demo: Any) -> None:
    from porchlight.community.models import Post

    post = Post.objects.filter(agency=demo.agency, deleted__isnull=True).first()
    assert post is not None
    response = client_for(demo.agency, Role.COMMUNITY).get(f"/console/community/posts/{post.pk}/")
    assert response.status_code == 200
    assert post.author.display_name in response.content.decode()
    [e] = pii_entries(target_id=str(post.author.pk))
    assert e.target_type == "community.resident" and e.changes == {"what": "resident identity"}
    assert e.actor_label == "u-community" and e.agency_id == demo.agency.pk and e.ip


@pytest.mark.django_db
def test_survey_comments_as_typed_are_a_personal_data_read(demo: Any) -> None:
    from porchlight.feedback.models import FollowUp

    item = FollowUp.objects.filter(agency=demo.agency).first()
    assert item is not None
    # Supervisors read the comments redacted: the follow-up read is logged, no personal data.
    assert client_for(demo.agency, Role.SUPERVISOR).get(f"/console/feedback/follow-ups/{item.pk}/").status_code == 200  # fmt: skip
    assert AuditEntry.objects.filter(action="feedback.follow_up.view", actor_label="u-supervisor").count() == 1  # fmt: skip
    assert pii_entries(actor_label="u-supervisor") == []
    # Admins read them as typed, contact details and all: that read is recorded.
    assert client_for(demo.agency, Role.ADMIN).get(f"/console/feedback/follow-ups/{item.pk}/").status_code == 200  # fmt: skip
    [e] = pii_entries(actor_label="u-admin")
    assert (e.target_type, e.target_id) == ("feedback.followup", str(item.pk))
    assert e.changes == {"what": "survey comments"}


@pytest.mark.django_db
def test_the_other_personal_data_pages_are_recorded(demo: Any) -> None:
    """Pages audited before `pii.viewed` existed, under their own action names, all counted as
    personal-data reads by the audit page's filter."""
    from porchlight.calls.models import Quarantine

    client = client_for(demo.agency, Role.ADMIN)
    q = Quarantine.objects.filter(agency=demo.agency).first()
    assert q is not None
    assert client.get(f"/console/quarantine/{q.pk}/").status_code == 200
    assert client.get("/console/replies/").status_code == 200
    assert client.get("/console/messages/?number=661-555-0100").status_code == 200
    seen = set(AuditEntry.objects.filter(actor_label="u-admin").values_list("action", flat=True))
    assert {"quarantine.view", "notify.inbound.read", "contact.search"} <= seen
    assert seen <= PII_ACTIONS
    listed = client.get("/console/audit/?personal=on").context["page"].object_list
    assert {e.action for e in listed} == seen
