"""Unknown, malformed, expired, revoked or excluded: one and the same 404, so no oracle."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from porchlight.calls.models import CallType, TrackLink
from porchlight.calls.tests.track_calls import apply, later, path_of, received
from porchlight.calls.track import link_for


@pytest.fixture
def unknown_page(client, db):
    """The 404 for a token that never existed: every other failure must look exactly like it."""
    r = client.get("/t/AAAAAAAAAAAAAAAAAAAAAAAA")
    assert r.status_code == 404
    return r.content


def test_an_unknown_token_gets_a_plain_404(unknown_page):
    text = unknown_page.decode()
    assert "This tracking link is not available" in text
    assert "In an emergency, call 911." in text


@pytest.mark.parametrize(
    "path",
    ["/t/x", "/t/" + "A" * 65, "/t/%3Cscript%3E", "/t/%E2%9C%93%E2%9C%93", "/t/%00", "/t/a.b"],
)
def test_malformed_tokens_get_the_same_404(client, unknown_page, path):
    r = client.get(path)
    assert r.status_code == 404 and r.content == unknown_page


def test_a_link_expires_days_after_the_last_update(client, agency, settings, unknown_page):
    start = timezone.now()
    path = path_of(link_for(apply(agency, received())))
    days = timedelta(days=settings.TRACK_LINK_DAYS)
    with time_machine.travel(start + days - timedelta(minutes=1), tick=False):
        assert client.get(path).status_code == 200
    with time_machine.travel(start + days + timedelta(minutes=1), tick=False):
        r = client.get(path)
        assert r.status_code == 404 and r.content == unknown_page


def test_a_new_cad_event_keeps_the_link_alive(client, agency, settings):
    start = timezone.now()
    path = path_of(link_for(apply(agency, received())))
    with time_machine.travel(start + timedelta(days=20), tick=False):
        apply(agency, later(2, "dispatched", "2026-11-22T14:20:00-08:00"))
    with time_machine.travel(start + timedelta(days=settings.TRACK_LINK_DAYS + 10), tick=False):
        assert client.get(path).status_code == 200


def test_the_length_is_a_setting(client, agency, settings):
    settings.TRACK_LINK_DAYS = 7
    start = timezone.now()
    path = path_of(link_for(apply(agency, received())))
    with time_machine.travel(start + timedelta(days=8), tick=False):
        assert client.get(path).status_code == 404


def test_a_revoked_link_gets_the_same_404(client, agency, unknown_page):
    path = path_of(link_for(apply(agency, received())))
    TrackLink.objects.update(revoked_at=timezone.now())
    r = client.get(path)
    assert r.status_code == 404 and r.content == unknown_page


def test_a_call_reclassified_as_domestic_violence_disappears(client, agency, unknown_page):
    path = path_of(link_for(apply(agency, received())))
    assert client.get(path).status_code == 200
    apply(agency, later(2, "dispatched", "2026-11-22T14:20:00-08:00", call_type="273.5"))
    r = client.get(path)
    assert r.status_code == 404 and r.content == unknown_page


def test_a_call_type_staff_mark_sensitive_disappears(client, agency, unknown_page):
    path = path_of(link_for(apply(agency, received())))
    CallType.objects.filter(agency=agency, code="459R").update(sensitive=True)
    r = client.get(path)
    assert r.status_code == 404 and r.content == unknown_page


def test_a_call_later_marked_juvenile_disappears(client, agency, unknown_page):
    path = path_of(link_for(apply(agency, received())))
    apply(agency, later(2, "dispatched", "2026-11-22T14:20:00-08:00", juvenile=True))
    r = client.get(path)
    assert r.status_code == 404 and r.content == unknown_page


def test_only_get_and_head(client, agency):
    path = path_of(link_for(apply(agency, received())))
    assert client.post(path).status_code == 405
    assert client.head(path).status_code == 200
