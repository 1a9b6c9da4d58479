"""The audit log's console page: who may read it, scope, filters, pages, and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model

from porchlight.agencies.models import Agency, Role
from porchlight.agencies.tests.conftest import make_user
from porchlight.agencies.tests.test_permission_matrix import mfa_client
from porchlight.audit.console import PAGE_SIZE
from porchlight.audit.log import record
from porchlight.audit.models import AuditEntry
from standins.builders import make_agency

URL = "/console/audit/"


def entry(agency: Agency, action: str, *, who: str = "ops", at: datetime | None = None,
          ip: str = "203.0.113.9", target: tuple[str, str] = ("", ""), **changes: Any) -> AuditEntry:  # fmt: skip
    e = AuditEntry(
        agency=agency, actor_label=who, action=action, ip=ip,
        target_type=target[0], target_id=target[1], changes=changes,
        user_agent="Firefox/140",
    )  # fmt: skip
    if at is not None:
        e.at = at
    e.save(force_insert=True)
    return e


@pytest.fixture
def admin_client(agency: Agency) -> Any:
    user, _ = make_user("boss", agency=agency, role=Role.ADMIN)
    return mfa_client(user)


def shown_actions(response: Any) -> list[str]:
    return [e.action for e in response.context["page"].object_list]


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_only_admins_and_supervisors_read_it(agency: Agency, role: Role) -> None:
    user, _ = make_user(f"u-{role.value}", agency=agency, role=role.value)
    status = mfa_client(user).get(URL).status_code
    assert status == (200 if role in (Role.ADMIN, Role.SUPERVISOR) else 403)


@pytest.mark.django_db
def test_each_entry_names_who_what_when_and_where(agency: Agency, admin_client: Any) -> None:
    entry(agency, "case.note", who="detective-lee", target=("cases.case", "41"), field="note")
    page = admin_client.get(URL).content.decode()
    assert "detective-lee" in page and "case.note" in page and "cases.case:41" in page
    assert "203.0.113.9" in page and "Firefox/140" in page
    # When: on the agency's clock, its zone named.
    assert "PST" in page or "PDT" in page


@pytest.mark.django_db
def test_another_agencys_entries_never_show(agency: Agency, admin_client: Any) -> None:
    other = make_agency(slug="kern", name="Kern County Sheriff", ori="CA0150000")
    entry(agency, "mine.action")
    entry(other, "theirs.action")
    response = admin_client.get(URL)
    assert shown_actions(response) == ["mine.action"]
    rows = list(
        csv.reader(
            io.StringIO(b"".join(admin_client.get(URL + "?format=csv").streaming_content).decode())
        )
    )
    # The export is itself an entry, written before the file: it is in it.
    assert [r[4] for r in rows[1:]] == ["audit.exported", "mine.action"]


@pytest.mark.django_db
def test_filters(agency: Agency, admin_client: Any) -> None:
    day = datetime(2026, 6, 10, 19, 0, tzinfo=UTC)  # noon in Los Angeles
    entry(agency, "case.note", who="lee", at=day, target=("cases.case", "7"))
    entry(agency, "pii.viewed", who="ana", at=day + timedelta(days=2), ip="198.51.100.4",
          target=("community.resident", "3"), what="resident identity")  # fmt: skip
    entry(agency, "alert.publish", who="ana", at=day + timedelta(days=5))

    def only(query: str) -> list[str]:
        response = admin_client.get(URL + query)
        assert response.status_code == 200, response.content[:300]
        return sorted(shown_actions(response))

    assert only("?who=ANA") == ["alert.publish", "pii.viewed"]
    assert only("?action=case.") == ["case.note"]
    assert only("?target=cases.case:7") == ["case.note"]
    assert only("?target=community") == ["pii.viewed"]
    assert only("?ip=198.51.100.4") == ["pii.viewed"]
    assert only("?since=2026-06-12&until=2026-06-12") == ["pii.viewed"]
    assert only("?since=2026-06-11") == ["alert.publish", "pii.viewed"]
    assert only("?until=2026-06-10") == ["case.note"]
    assert only("?personal=on") == ["pii.viewed"]


@pytest.mark.django_db
def test_bad_filters_are_a_400_with_the_reason(admin_client: Any) -> None:
    response = admin_client.get(URL + "?since=2026-06-12&until=2026-06-01")
    assert response.status_code == 400
    assert "The start date is after the end date." in response.content.decode()
    assert admin_client.get(URL + "?ip=not-an-address").status_code == 400
    assert admin_client.get(URL + "?since=yesterday").status_code == 400


@pytest.mark.django_db
def test_pages(agency: Agency, admin_client: Any) -> None:
    for n in range(PAGE_SIZE + 3):
        entry(agency, f"bulk.{n:03d}")
    first = admin_client.get(URL + "?action=bulk.")
    second = admin_client.get(URL + "?action=bulk.&page=2")
    assert len(shown_actions(first)) == PAGE_SIZE and len(shown_actions(second)) == 3
    assert set(shown_actions(first)).isdisjoint(shown_actions(second))
    assert "action=bulk." in first.content.decode().split('class="pager"')[1]


@pytest.mark.django_db
def test_csv_matches_the_screen_and_is_itself_audited(agency: Agency, admin_client: Any) -> None:
    entry(agency, "case.note", who="lee", target=("cases.case", "7"), field="note")
    entry(agency, "=cmd|' /C calc'!A0", who="+danger")
    entry(agency, "alert.publish", who="ana")
    screen = admin_client.get(URL + "?who=lee")
    response = admin_client.get(URL + "?who=lee&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:5] == ["at", "agency", "actor", "actor_id", "action"]
    assert [(r[2], r[4], r[5], r[6], r[7]) for r in rows[1:]] == [
        (e.actor_label, e.action, e.target_type, e.target_id, '{"field": "note"}')
        for e in screen.context["page"].object_list
    ]
    exported = AuditEntry.objects.get(action="audit.exported")
    assert exported.actor_label == "boss" and exported.changes == {"who": "lee"}
    everything = admin_client.get(URL + "?format=csv")
    text = b"".join(everything.streaming_content).decode()
    # Spreadsheet formulas are neutralised.
    assert "'=cmd" in text and "'+danger" in text


@pytest.mark.django_db
def test_a_superuser_sees_every_agency(agency: Agency) -> None:
    other = make_agency(slug="kern", name="Kern County Sheriff", ori="CA0150000")
    entry(agency, "mine.action")
    entry(other, "theirs.action")
    user, _ = make_user("root", superuser=True)
    assert sorted(shown_actions(mfa_client(user).get(URL))) == ["mine.action", "theirs.action"]


@pytest.mark.django_db
def test_entries_are_kept_a_year_and_more(agency: Agency, admin_client: Any) -> None:
    """Nothing purges the audit log: an entry 364 days old (or 3 years old) is still there and
    still listed, and the database refuses to delete it (migration 0002's triggers)."""
    from django.db import IntegrityError, transaction

    with time_machine.travel(datetime(2023, 1, 5, tzinfo=UTC), tick=False):
        old = record("case.note", actor_label="system", agency=agency)
    with time_machine.travel(datetime(2026, 1, 5, tzinfo=UTC), tick=False):
        recent = record("case.note", actor_label="system", agency=agency)
    for e in (old, recent):
        with pytest.raises(IntegrityError), transaction.atomic():
            AuditEntry.objects.filter(pk=e.pk).delete()
    ids = {e.pk for e in admin_client.get(URL + "?action=case.note").context["page"].object_list}
    assert {old.pk, recent.pk} <= ids
    assert get_user_model().objects.filter(username="boss").exists()
