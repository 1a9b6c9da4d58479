"""Tracking links are made when a new call's first text is planned, in intake's transaction, so
the worker only reads them; the text carries that link, and staff turning it off before the
text goes keeps it out."""

from urllib.parse import urlsplit

import pytest
from django.test import override_settings

from porchlight.calls.models import Call, TrackLink
from porchlight.calls.track import token_hash
from porchlight.notify.channels.dev import DevInbox
from porchlight.notify.models import DevMessage
from porchlight.notify.tests.conftest import received
from porchlight.notify.worker import Worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker():
    w = Worker({"sms": DevInbox("sms")}, name="w", threads=2)  # the real links
    yield w
    w._pool.shutdown()


def link_in(body: str) -> str:
    url = next(word for word in body.split() if "/t/" in word)
    return urlsplit(url.rstrip(".")).path.removeprefix("/t/")


def test_planning_a_new_calls_first_text_makes_its_link(call_in):
    call_in(received())
    assert TrackLink.objects.filter(call=Call.objects.get()).count() == 1


def test_an_excluded_call_gets_no_link(call_in):
    call_in(received(call_type="273.5"))
    assert not TrackLink.objects.exists()


def test_a_call_with_no_one_to_text_gets_no_link(call_in):
    call_in(received(caller=None))
    assert not TrackLink.objects.exists()


@override_settings(SITE_URL="https://updates.example.gov")
def test_the_text_carries_the_link_made_with_the_plan(call_in, worker):
    call_in(received())
    link = TrackLink.objects.get()
    worker.run_once()
    token = link_in(DevMessage.objects.get().body)
    assert token_hash(token) == link.token_hash
    assert TrackLink.objects.count() == 1  # read, not made again


def test_a_link_turned_off_before_the_text_goes_is_left_out(call_in, worker):
    call_in(received())
    TrackLink.objects.update(revoked_at="2026-11-22T22:18:00Z")
    worker.run_once()
    assert "/t/" not in DevMessage.objects.get().body


def test_a_text_planned_before_links_came_with_the_plan_still_gets_one(call_in, worker):
    call_in(received())
    TrackLink.objects.all().delete()
    worker.run_once()
    token = link_in(DevMessage.objects.get().body)
    assert token_hash(token) == TrackLink.objects.get().token_hash
