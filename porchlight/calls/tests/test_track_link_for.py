"""`link_for` makes one link per call and gives the same one every time after."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from porchlight.calls.models import TrackLink
from porchlight.calls.tests.track_calls import apply, later, received
from porchlight.calls.track import link_for


def test_the_same_call_gets_the_same_link_every_time(agency):
    call = apply(agency, received())
    first = link_for(call)
    assert first is not None
    # Later texts about the same call (a delay notice, the closing text) repeat the link.
    call = apply(agency, later(2, "dispatched", "2026-11-22T14:20:00-08:00"))
    assert link_for(call) == first
    assert TrackLink.objects.count() == 1


def test_a_link_lost_in_a_race_is_replaced_by_the_winner(agency):
    # Two workers build a text for the same call at once: the second `create` hits the
    # one-per-call constraint, and that worker takes the first one's link.
    call = apply(agency, received())
    winner = link_for(call)
    TrackLink.objects.filter(call=call).update()  # still exactly one row
    stale = type(call).objects.get(pk=call.pk)
    assert link_for(stale) == winner


def test_a_revoked_link_is_not_given_again_nor_replaced(agency):
    call = apply(agency, received())
    assert link_for(call) is not None
    TrackLink.objects.filter(call=call).update(revoked_at=timezone.now())
    assert link_for(call) is None
    assert TrackLink.objects.count() == 1


def test_no_link_for_a_call_already_past_its_expiry(agency, settings):
    # No caller to text, so planning made no link: link_for is the only way one could appear.
    call = apply(agency, received(caller=None))
    with time_machine.travel(timezone.now() + timedelta(days=settings.TRACK_LINK_DAYS, seconds=1)):
        assert link_for(call) is None
    assert not TrackLink.objects.exists()
