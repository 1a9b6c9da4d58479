"""Intake health: what each feed (an agency's events from one source) has sent, and whether it
has gone quiet for longer than usual.

The statistics are a consumer of the CAD event log with a cursor on its id (the arrival order,
docs/architecture.md "Consume"), so neither the page nor the worker ever scans the log: each
run reads the events that arrived since the last one, in id order, and folds them into one
`Feed` row per feed — the last event seen, the recent gaps between batches, and a count per
minute for the last hour. History imports are left out: a year of calls imported in a minute
says nothing about the live feed.

A feed's usual gap is a high percentile of its recent gaps, never below a floor
(OPS_FEED_SILENCE_FLOOR_MINUTES) so a busy feed's seconds-long gaps do not page anyone over a
quiet quarter hour; a feed with too few gaps to learn from uses OPS_FEED_DEFAULT_GAP_MINUTES.
The gap that ends an alerted silence is not learned
(an outage is not the feed's habit). Silent longer than that, the feed gets one `FeedSilence` row (unique on its last event), shown
on the page, and the agency admins get one email; the next event ends the silence.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from porchlight.agencies.models import Agency, Role, Staff
from porchlight.calls.models import Event
from porchlight.operations import leases
from porchlight.operations.models import Feed, FeedCursor, FeedSilence

log = logging.getLogger(__name__)

# Events read per run; a backlog is caught up over several runs.
BATCH = 20_000
# Gaps shorter than this are one batch arriving (a CAD posts 50 events in one request).
SAME_BATCH_SECONDS = 1.0
# Gaps kept per feed: enough for a quiet night on a feed that sends a few events an hour.
MAX_GAPS = 2000
# Fewer gaps than this and the feed's habit is not known yet.
MIN_GAPS = 20
PERCENTILE = 0.99
# Events are read only once they are this old: a batch still committing on PostgreSQL has an
# id below ones already visible, and a cursor past it would never count it.
SETTLE = timedelta(seconds=30)
# A new deployment starts this many events back, not at the beginning of years of history.
START_BACK = 50_000
LEASE = "operations.feeds"


def floor_seconds() -> float:
    return settings.OPS_FEED_SILENCE_FLOOR_MINUTES * 60.0


def usual_gap(gaps: list[int]) -> float:
    """Seconds: the feed's high-percentile gap, or the default while it is still learning."""
    if len(gaps) < MIN_GAPS:
        return max(floor_seconds(), settings.OPS_FEED_DEFAULT_GAP_MINUTES * 60.0)
    ordered = sorted(gaps)
    value = ordered[max(0, math.ceil(PERCENTILE * len(ordered)) - 1)]
    return max(floor_seconds(), float(value))


def _minute(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def catch_up(now: datetime | None = None) -> int:
    """Fold the events that arrived since the last run into the feeds. Returns events read."""
    now = now or timezone.now()
    with transaction.atomic():
        cursor = FeedCursor.objects.select_for_update().filter(pk=1).first()
        if cursor is None:
            newest = Event.objects.aggregate(m=Max("pk"))["m"] or 0
            # get_or_create: a page view and a worker may start at the same moment.
            FeedCursor.objects.get_or_create(
                pk=1, defaults={"last_event_id": max(0, newest - START_BACK)}
            )
            cursor = FeedCursor.objects.select_for_update().get(pk=1)
        rows = list(
            Event.objects.filter(pk__gt=cursor.last_event_id, arrived_at__lte=now - SETTLE)
            .order_by("pk")
            .values_list("pk", "agency_id", "source", "arrived_at", "historical")[:BATCH]
        )
        if not rows:
            return 0
        keys = {(r[1], r[2]) for r in rows if not r[4]}
        feeds = {
            (f.agency_id, f.source): f
            for f in Feed.objects.select_for_update().filter(
                agency_id__in={k[0] for k in keys}, source__in={k[1] for k in keys}
            )
        }
        # The gap that ends a silence is an outage, not the feed's habit: learning it would
        # raise the usual gap until the same outage no longer alerts.
        outage = set(
            FeedSilence.objects.filter(
                feed__in=[f.pk for f in feeds.values()], ended_at__isnull=True
            ).values_list("feed_id", flat=True)
        )
        touched: dict[tuple[int, str], Feed] = {}
        for pk, agency_id, source, arrived, historical in rows:
            if historical:
                continue
            feed = feeds.get((agency_id, source))
            if feed is None:
                feed = feeds[(agency_id, source)] = Feed(agency_id=agency_id, source=source)
            if feed.last_arrived_at is not None:
                gap = (arrived - feed.last_arrived_at).total_seconds()
                if feed.pk in outage:
                    outage.discard(feed.pk)
                elif gap >= SAME_BATCH_SECONDS:
                    feed.gaps.append(int(gap))
            if feed.last_arrived_at is None or arrived >= feed.last_arrived_at:
                feed.last_arrived_at = arrived
            feed.last_event_id = pk
            key = _minute(arrived)
            feed.minutes[key] = feed.minutes.get(key, 0) + 1
            feed.total += 1
            touched[(agency_id, source)] = feed
        oldest = _minute(now - timedelta(minutes=90))
        for feed in touched.values():
            feed.gaps = feed.gaps[-MAX_GAPS:]
            feed.minutes = {k: v for k, v in feed.minutes.items() if k >= oldest}
            feed.save()
        if touched:
            # A feed that speaks again ends its silence.
            FeedSilence.objects.filter(
                feed__in=[f.pk for f in touched.values()], ended_at__isnull=True
            ).update(ended_at=now)
        cursor.last_event_id = rows[-1][0]
        cursor.updated = now
        cursor.save()
    return len(rows)


@dataclass
class FeedHealth:
    feed: Feed
    last_hour: int
    usual_gap_seconds: float
    silent_for_seconds: float
    silence: FeedSilence | None

    @property
    def usual_gap_text(self) -> str:
        return minutes_text(self.usual_gap_seconds)

    @property
    def silent(self) -> bool:
        return self.silent_for_seconds > self.usual_gap_seconds


def last_hour(feed: Feed, now: datetime) -> int:
    since = _minute(now - timedelta(hours=1))
    return sum(n for minute, n in feed.minutes.items() if minute > since)


def health(feeds: list[Feed], now: datetime) -> list[FeedHealth]:
    open_silences = {
        s.feed_id: s
        for s in FeedSilence.objects.filter(feed__in=[f.pk for f in feeds], ended_at__isnull=True)
    }
    out = []
    for feed in feeds:
        silent_for = (now - feed.last_arrived_at).total_seconds() if feed.last_arrived_at else 0.0
        out.append(
            FeedHealth(
                feed=feed,
                last_hour=last_hour(feed, now),
                usual_gap_seconds=usual_gap(feed.gaps),
                silent_for_seconds=max(0.0, silent_for),
                silence=open_silences.get(feed.pk),
            )
        )
    return out


def detect(now: datetime | None = None) -> list[FeedSilence]:
    """Record each feed silent past its usual gap (once per silence) and email its agency's
    admins (once per silence). Returns the silences whose email went now."""
    now = now or timezone.now()
    alerted = []
    for item in health(list(Feed.objects.filter(last_arrived_at__isnull=False)), now):
        if not item.silent:
            continue
        feed = item.feed
        assert feed.last_arrived_at is not None
        silence, _created = FeedSilence.objects.get_or_create(
            feed=feed,
            last_event_id=feed.last_event_id,
            defaults={
                "last_arrived_at": feed.last_arrived_at,
                "usual_gap_seconds": int(item.usual_gap_seconds),
                "detected_at": now,
            },
        )
        if silence.ended_at is not None:
            continue
        # Claim the email: whoever moves alerted_at from empty sends it, once.
        if not FeedSilence.objects.filter(pk=silence.pk, alerted_at__isnull=True).update(
            alerted_at=now
        ):
            continue
        try:
            sent_to = email_admins(silence, now)
        except Exception:
            # Give the claim back, so the next run tries again.
            FeedSilence.objects.filter(pk=silence.pk).update(alerted_at=None)
            raise
        FeedSilence.objects.filter(pk=silence.pk).update(emailed_to=sent_to)
        alerted.append(silence)
    return alerted


def admin_emails(agency: Agency) -> list[str]:
    return sorted(
        {
            email
            for email in Staff.objects.filter(
                agency=agency, role=Role.ADMIN, user__is_active=True
            ).values_list("user__email", flat=True)
            if email
        }
    )


def minutes_text(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    if minutes < 120:
        return _("%(n)d minutes") % {"n": minutes}
    return _("%(n).1f hours") % {"n": minutes / 60}


def email_admins(silence: FeedSilence, now: datetime) -> int:
    """Email the agency's admins about the silence. Returns how many it went to."""
    feed = silence.feed
    agency = feed.agency
    recipients = admin_emails(agency)
    if not recipients:
        log.warning("feed %s of %s is silent and the agency has no admin email", feed, agency)
        return 0
    with translation.override(agency.default_language):
        local = timezone.localtime(silence.last_arrived_at, agency.tz)
        subject = _("Porchlight: the %(source)s feed has gone silent") % {"source": feed.source}
        body = _(
            "No CAD event has arrived from the %(source)s feed of %(agency)s since %(when)s "
            "(%(silent)s ago). It usually sends something at least every %(usual)s.\n\n"
            "Check the CAD interface and its network link. The intake health page shows the "
            "feed: %(url)s\n\nYou get this email once per silence."
        ) % {
            "source": feed.source,
            "agency": agency.name,
            "when": local.strftime("%Y-%m-%d %H:%M %Z"),
            "silent": minutes_text((now - silence.last_arrived_at).total_seconds()),
            "usual": minutes_text(silence.usual_gap_seconds),
            "url": settings.SITE_URL + reverse("operations:intake"),
        }
    send_mail(subject, body, None, recipients)
    return len(recipients)


def run(worker: str, now: datetime) -> int:
    """The worker's periodic job (settings.NOTIFY_PERIODIC_JOBS): once a minute, under the
    operations.feeds lease, catch up on the event log and alert on silent feeds."""
    if not leases.turn(LEASE, worker, timedelta(seconds=settings.OPS_FEED_CHECK_SECONDS), now):
        return 0
    while catch_up(now) == BATCH:
        pass
    return len(detect(now))
