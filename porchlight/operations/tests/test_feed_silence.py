"""A feed that goes quiet for longer than its usual gap shows on the page and its agency's
admins get one email per silence, from the worker's periodic job (time-machine moves the
clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from porchlight.operations import feeds
from porchlight.operations.models import Feed, FeedSilence
from porchlight.operations.tests.builders import post
from standins.browser import make_staff

START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_the_usual_gap_is_a_high_percentile_with_a_floor(settings):
    settings.OPS_FEED_SILENCE_FLOOR_MINUTES = 15
    settings.OPS_FEED_DEFAULT_GAP_MINUTES = 360
    assert feeds.usual_gap([60] * 5) == 360 * 60  # still learning: the default
    assert feeds.usual_gap([60] * 100) == 15 * 60  # a busy feed: the floor
    gaps = [600] * 95 + [2400] * 5  # 5 % of gaps are 40 minutes
    assert feeds.usual_gap(gaps) == 2400
    assert feeds.usual_gap([1200] * 99 + [9000]) == 1200  # one outage in 100 is not the habit


@pytest.mark.django_db
def test_a_silent_feed_emails_the_admins_once_per_silence(agency, mailoutbox, settings):
    settings.OPS_FEED_SILENCE_FLOOR_MINUTES = 15
    make_staff(agency, role="admin", username="chief")
    make_staff(agency, role="supervisor", username="sgt")
    with time_machine.travel(START, tick=False) as clock:
        for i in range(21):  # an event every 2 minutes: usual gap is the floor
            post(agency, incident=f"26-1{i:05d}")
            clock.shift(120)
        clock.shift(60)
        assert feeds.run("w1", timezone.now()) == 0
        feed = Feed.objects.get(agency=agency, source="cad")
        assert feed.total == 21 and len(feed.gaps) == 20

        clock.shift(timedelta(minutes=10))  # 13 minutes since the last: not yet
        assert feeds.run("w1", timezone.now()) == 0
        assert not mailoutbox

        clock.shift(timedelta(minutes=5))  # 18 minutes: silent
        assert feeds.run("w1", timezone.now()) == 1
        assert len(mailoutbox) == 1
        message = mailoutbox[0]
        assert message.to == [f"chief@{agency.slug}.example.org"]
        assert "cad" in message.subject and "/console/operations/intake/" in message.body
        assert FeedSilence.objects.get().emailed_to == 1

        # Another run, another worker, an hour later: the same silence, no second email.
        clock.shift(timedelta(hours=1))
        assert feeds.run("w2", timezone.now()) == 0
        assert feeds.detect(timezone.now()) == []
        assert len(mailoutbox) == 1
        assert FeedSilence.objects.count() == 1

        # The feed speaks again: the silence ends; the next silence is a new one.
        post(agency, incident="26-200000")
        clock.shift(timedelta(minutes=2))
        feeds.run("w1", timezone.now())
        assert FeedSilence.objects.get().ended_at is not None
        assert max(Feed.objects.get().gaps) == 120  # the outage was not learned
        clock.shift(timedelta(minutes=40))
        assert feeds.run("w1", timezone.now()) == 1
        assert len(mailoutbox) == 2
        assert FeedSilence.objects.count() == 2


@pytest.mark.django_db
def test_the_job_runs_once_a_minute_whoever_asks(agency, settings):
    settings.OPS_FEED_CHECK_SECONDS = 60
    with time_machine.travel(START, tick=False) as clock:
        post(agency, incident="26-300000")
        clock.shift(120)
        feeds.run("w1", timezone.now())
        assert Feed.objects.get().total == 1
        post(agency, incident="26-300001")
        clock.shift(40)  # settled, but the lease's minute is not over: nobody reads
        feeds.run("w2", timezone.now())
        feeds.run("w1", timezone.now())
        assert Feed.objects.get().total == 1
        clock.shift(30)
        feeds.run("w2", timezone.now())
        assert Feed.objects.get().total == 2


@pytest.mark.django_db
def test_history_imports_and_other_sources_are_kept_apart(agency):
    from porchlight.calls.intake import ingest
    from porchlight.operations.tests.builders import feed
    from standins.builders import cad_event

    with time_machine.travel(START, tick=False) as clock:
        post(agency, source="cad", incident="26-400000")
        post(agency, source="drop", incident="26-400001")
        history = feed(agency, "import")
        history.historical = True
        ingest(history, [cad_event(900, incident="25-000001", at=timezone.now().isoformat())])
        clock.shift(60)
        feeds.catch_up(timezone.now())
        assert sorted(Feed.objects.values_list("source", "total")) == [("cad", 1), ("drop", 1)]
        assert [
            h.last_hour for h in feeds.health(list(Feed.objects.order_by("source")), timezone.now())
        ] == [1, 1]
        clock.shift(timedelta(minutes=61))
        assert [h.last_hour for h in feeds.health(list(Feed.objects.all()), timezone.now())] == [
            0,
            0,
        ]
