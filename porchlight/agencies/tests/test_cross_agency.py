"""No one at one agency ever sees another agency's data, on any console URL that names a record.

Agency B is the demo agency, seeded with what the demo makes (calls, quarantine, cases, copy
requests, posts, removals, alerts, watch groups, follow-ups, stops…) plus a console import.
Agency A is new and empty. For each console URL with an id (walked from the resolver), B's own
admin finds the ids that reach a record of B's; A's admin, who holds every capability, then asks
for each of those ids and must get 404 or 403: never a page, never a change.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from porchlight.agencies.models import Agency, Role
from porchlight.agencies.tests.conftest import make_user
from porchlight.agencies.tests.test_permission_matrix import mfa_client
from porchlight.agencies.tests.urls_walk import StaffUrl, console_urls
from porchlight.audit.models import AuditEntry
from standins.builders import make_agency

ID_URLS = [u for u in console_urls() if u.has_ids]
IDS = range(1, 16)


def extra_rows(agency: Agency) -> set[int]:
    """What the demo does not make (a console import and its run, a roster import, a copy
    request), and the ids of rows that sit past the probed range (a call with a tracking link)."""
    from porchlight.calls.models import ConsoleImport, ImportRun, TrackLink
    from porchlight.cases.models import CopyRequest
    from porchlight.feedback.models import RosterImport

    run = ImportRun.objects.create(
        agency=agency, sha256="1" * 64, preset="x", source="history", file_name="calls.csv"
    )
    ConsoleImport.objects.create(agency=agency, file_name="calls.csv", sha256="0" * 64, run=run)
    roster = RosterImport.objects.create(agency=agency, file_name="roster.csv", text="")
    copy = CopyRequest.objects.create(agency=agency, case_number="26-000001")
    from porchlight.calls import track
    from porchlight.calls.models import Call

    call = Call.objects.filter(agency=agency).order_by("-pk").first()
    assert call is not None
    track.make_links([call.pk])
    link = TrackLink.objects.get(call=call)
    from porchlight.feedback.models import FollowUp

    follow_ups = set(FollowUp.objects.filter(agency=agency).values_list("pk", flat=True)[:3])
    assert follow_ups, "the demo made no follow-up"
    # On PostgreSQL sequences do not restart with each test, so the demo's codes and held
    # events can sit past the probed range: add a few of each by id.
    from porchlight.agencies.models import PriorityCode, StatusCode
    from porchlight.calls.models import CallType, Quarantine

    # Cases, posts and comments too: tests that ran earlier in the same process (feedback's,
    # insights') push their sequences past the range, and then B's admin reached no case, post
    # or comment (seen on PostgreSQL with those apps' tests first).
    from porchlight.cases.models import Case
    from porchlight.community.models import Comment, Post

    coded: set[int] = set()
    for model in (CallType, PriorityCode, StatusCode, Quarantine, Case):
        coded |= set(model.objects.filter(agency=agency).values_list("pk", flat=True)[:2])
    published = Post.objects.filter(agency=agency, status=Post.Status.PUBLISHED)
    coded |= set(published.values_list("pk", flat=True)[:2])
    coded |= set(Comment.objects.filter(post__agency=agency).values_list("pk", flat=True)[:2])
    return {run.pk, roster.pk, copy.pk, link.call_id, *follow_ups, *coded}


def own_ids(client: Client, url: StaffUrl, ids: list[int]) -> list[int]:
    """The ids that reach one of B's records for B's own admin (GET, or POST where GET is 405)."""
    found = []
    for pk in ids:
        status = client.get(url.path(pk)).status_code
        if status == 405:
            status = client.post(url.path(pk), {}).status_code
        if status != 404:
            found.append(pk)
    return found


def _hit(client: Client, path: str) -> int:
    status = client.get(path).status_code
    return client.post(path, {}).status_code if status == 405 else status


@pytest.mark.django_db(transaction=False)
def test_other_agency_ids_never_open(settings: Any, tmp_path: Any) -> None:
    from porchlight.demo.seed import seed

    settings.VAR_DIR = tmp_path
    demo = seed(history_days=0.5)
    ids = sorted(set(IDS) | extra_rows(demo.agency))
    a = make_agency(slug="elsewhere", name="Elsewhere PD", ori="CA0999900")
    a_admin, _ = make_user("a-admin", agency=a, role=Role.ADMIN)
    b_admin, _ = make_user("b-admin", agency=demo.agency, role=Role.ADMIN)
    a_client, b_client = mfa_client(a_admin), mfa_client(b_admin)
    assert ID_URLS, "the walk found no console URL with an id"
    unseeded, leaks = [], []
    for url in ID_URLS:
        # A first: B's own POSTs below change B's records (cancel an alert, lift a stop).
        a_statuses = {pk: _hit(a_client, url.path(pk)) for pk in ids}
        own = own_ids(b_client, url, ids)
        if not own:
            unseeded.append(str(url))
        for pk in own:
            if a_statuses[pk] not in (403, 404):
                leaks.append(f"{url} id {pk}: {a_statuses[pk]}")
        # Nothing A did touched B: B's audit entries are only those B's own requests wrote.
        assert AuditEntry.objects.filter(agency=demo.agency, actor_label="a-admin").count() == 0, (
            url
        )
    assert not leaks, "agency A's admin reached agency B's records:\n" + "\n".join(leaks)
    assert not unseeded, "B's admin reached no record here (seed one):\n" + "\n".join(unseeded)


@pytest.mark.django_db
def test_other_agency_rows_never_open_in_the_admin(settings: Any, tmp_path: Any) -> None:
    """The same for the admin: every registered page scoped to an agency, every one of B's rows
    (up to five a page), opened by A's admin: never a 200 (the admin answers a row outside the
    queryset with a redirect to its index, or 403/404)."""
    from django.contrib import admin

    from porchlight.agencies.admin_scope import AgencyScopedAdmin
    from porchlight.demo.seed import seed

    settings.VAR_DIR = tmp_path
    demo = seed(history_days=0.2)
    a = make_agency(slug="elsewhere", name="Elsewhere PD", ori="CA0999900")
    a_admin, _ = make_user("a-admin", agency=a, role=Role.ADMIN)
    b_admin, _ = make_user("b-admin", agency=demo.agency, role=Role.ADMIN)
    a_client, b_client = mfa_client(a_admin), mfa_client(b_admin)
    checked, leaks = 0, []
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, AgencyScopedAdmin):
            continue
        if not model_admin.agency_path:
            # Platform-only pages (the custody log): rows carry no agency, and agency staff
            # see none of them at all (media/tests/test_custody_admin.py).
            continue
        lookup = "pk" if model_admin.agency_path == "pk" else model_admin.agency_path
        pks = list(
            model._default_manager.filter(**{lookup: demo.agency.pk}).values_list("pk", flat=True)[
                :5
            ]
        )
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}"
        for pk in pks:
            url = f"{base}/{pk}/change/"
            if b_client.get(url).status_code != 200:
                continue  # not a page B's admin opens either (e.g. a role-limited one)
            checked += 1
            status = a_client.get(url).status_code
            if status == 200:
                leaks.append(url)
    assert checked > 10, "too few of B's admin rows were checked"
    assert not leaks, "agency A's admin opened agency B's rows:\n" + "\n".join(leaks)
