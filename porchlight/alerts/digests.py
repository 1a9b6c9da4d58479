"""The daily digest: alerts a resident gets once a day instead of one by one.

`run()` is one of the worker's periodic jobs (settings.NOTIFY_PERIODIC_JOBS): after each batch
the worker gives it a turn, and it does work only under the `alerts-digest` lease, so with any
number of workers one sends the digests. For each agency whose local clock has passed
ALERT_DIGEST_HOUR, every resident with waiting digest deliveries gets one DIGEST message per
channel they asked for; the dedupe key names the resident and the local date, so a digest goes
at most once a day per contact whatever happens, and the deliveries it covers are marked in the
same transaction as its outbox rows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from porchlight.agencies.models import Agency
from porchlight.alerts import wording
from porchlight.alerts.models import Delivery, How, ResidentContact
from porchlight.community.models import Resident
from porchlight.notify import rules
from porchlight.notify.models import TRIGGER_PRIORITY, Channel, Outbox, Rule, Sender, State, Trigger
from porchlight.notify.worker import take_lease

LEASE = "alerts-digest"
LEASE_TTL = timedelta(minutes=2)


def digest_time(agency: Agency, now: datetime) -> datetime:
    """Today's digest time on the agency's clock."""
    local = now.astimezone(agency.tz)
    return datetime.combine(local.date(), time(settings.ALERT_DIGEST_HOUR), tzinfo=agency.tz)


def run(worker: str, now: datetime) -> int:
    """Send the digests that are due. Returns how many outbox rows were planned."""
    waiting = Delivery.objects.filter(how=How.DIGEST, digested_at__isnull=True)
    if not waiting.exists():
        return 0  # the common case, without touching the lease
    if not take_lease(LEASE, worker, LEASE_TTL, now):
        return 0
    planned = 0
    agency_ids = set(waiting.values_list("alert__agency_id", flat=True).distinct())
    for agency in Agency.objects.filter(pk__in=agency_ids):
        cutoff = digest_time(agency, now)
        if now >= cutoff:
            planned += send(agency, now, cutoff)
    return planned


def send(agency: Agency, now: datetime, cutoff: datetime) -> int:
    """One agency's digests: what waited since before today's digest time."""
    rulebook = wording.ensure_rules(agency)[Trigger.DIGEST]
    rule_for: dict[str, Rule | None] = {
        channel.value: rules.first_match(rulebook, channel, rules.Facts())
        for channel in (Channel.EMAIL, Channel.SMS, Channel.PUSH)
    }
    day = cutoff.date().isoformat()
    url = settings.SITE_URL + reverse("alerts:list", args=[agency.slug])
    sender = Sender.objects.filter(agency=agency, is_default=True).order_by("id").first()
    with transaction.atomic():
        items = list(
            Delivery.objects.select_for_update()
            .filter(
                alert__agency=agency, how=How.DIGEST, digested_at__isnull=True,
                created__lte=cutoff,
            )
            .values_list("pk", "resident_id", "channels")
        )  # fmt: skip
        if not items:
            return 0
        wanted: dict[int, set[str]] = defaultdict(set)
        for _pk, resident_id, channels in items:
            wanted[resident_id].update(c for c in channels.split(",") if c)
        languages = dict(Resident.objects.filter(pk__in=list(wanted)).values_list("id", "language"))
        rows = []
        for resident_id, contact_id, channel in ResidentContact.objects.filter(
            resident_id__in=list(wanted), contact__undeliverable=""
        ).values_list("resident_id", "contact_id", "channel"):
            rule = rule_for.get(channel)
            if channel not in wanted[resident_id] or rule is None:
                continue
            rows.append(Outbox(
                agency=agency, contact_id=contact_id, channel=channel, trigger=Trigger.DIGEST,
                rule=rule, sender=sender if channel == Channel.SMS else None,
                dedupe_key=f"{contact_id}:{Trigger.DIGEST}:{resident_id}:{day}:{channel}",
                state=State.PLANNED, priority=TRIGGER_PRIORITY[Trigger.DIGEST], due_at=now,
                expires_at=now + timedelta(minutes=rule.valid_minutes),
                language=languages.get(resident_id, agency.default_language),
                context={"alert_url": url}, created=now, updated=now,
            ))  # fmt: skip
        Outbox.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        # The same rows as read above (locked on PostgreSQL; SQLite admits one writer).
        Delivery.objects.filter(
            alert__agency=agency, how=How.DIGEST, digested_at__isnull=True, created__lte=cutoff
        ).update(digested_at=now)
    return len(rows)


def pending_for(resident: Resident) -> int:
    return Delivery.objects.filter(
        resident=resident, how=How.DIGEST, digested_at__isnull=True
    ).count()
