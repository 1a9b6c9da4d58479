"""An alert's fan-out: one outbox row per resident contact it reaches, written in bulk.

Who: residents with a place inside the alert's area, or whose place's radius reaches into it.
The candidates come from one query on the places' (agency, lat) index with the area's box
widened by the largest place radius; shapely then tests every candidate in one vectorised call.

How: the place's preference (community.Place → Preference; a place without one gets the
defaults: a daily digest by email). Urgent alerts always go at once. The others go at once in
"instant" mode until the resident's daily cap of instant alerts is reached, and into the next
digest after it (or in "digest" mode). A resident with several places in the area is told
once, through every channel any of those places asks for.

Writes: a Delivery per resident (unique, so publishing twice or a retried fan-out plans
nothing twice) and the Outbox rows, in one transaction, with bulk inserts of a few thousand
rows per statement. The outbox rows follow plan.message()'s rules (the agency's enabled rule
per channel gives the words and validity, quiet hours for non-urgent alerts, the default
sending number for SMS, the dedupe key `<contact>:<trigger>:alert:<id>:<channel>`), but
set-based: plan.message() is one transaction per message, which at 50,000 residents is what
this avoids (docs/performance.md, "Alert fan-out").
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import shapely
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from porchlight.agencies.models import Agency
from porchlight.alerts import feeds, shapes, wording
from porchlight.alerts.models import DEFAULT_DAILY_CAP, Alert, Delivery, How, Mode, ResidentContact
from porchlight.calls import bulk
from porchlight.community.models import MAX_RADIUS_MILES, Place, Resident
from porchlight.notify import rules, timing
from porchlight.notify.models import (
    TRIGGER_PRIORITY,
    Channel,
    DeliverySettings,
    Outbox,
    Rule,
    Sender,
    State,
    Trigger,
)

BATCH = 5000
DELIVERY_COLUMNS = ("alert", "resident", "how", "channels", "created")
# Every outbox column without a database default (the rest are NULL or have one).
OUTBOX_COLUMNS = (
    "agency", "contact", "channel", "trigger", "rule", "sender", "dedupe_key", "state",
    "priority", "due_at", "expires_at", "language", "context", "created", "updated", "reason",
    "subject", "body", "attempts", "claimed_by", "provider_id", "error_code",
)  # fmt: skip
DEFAULT_CHANNELS = ("email",)
WITHDRAWN = "alert withdrawn"


@dataclass
class Reach:
    """What one resident gets: at once or in the digest, through which channels."""

    instant: bool = False
    channels: set[str] = field(default_factory=set)
    cap: int = DEFAULT_DAILY_CAP


def reached(alert: Alert) -> dict[int, Reach]:
    """Resident id → Reach for every resident with a place the alert's area reaches."""
    area = shapes.from_geojson(alert.area)
    min_lon, min_lat, max_lon, max_lat = area.bounds
    pad_lat = MAX_RADIUS_MILES / shapes.MILES_PER_DEGREE_LAT
    mid = math.radians((min_lat + max_lat) / 2)
    pad_lon = pad_lat / max(math.cos(mid), 1e-6)
    rows = list(
        Place.objects.filter(
            agency_id=alert.agency_id,
            lat__range=(min_lat - pad_lat, max_lat + pad_lat),
            lon__range=(min_lon - pad_lon, max_lon + pad_lon),
        ).values_list(
            "resident_id", "lat", "lon", "radius_miles", "alert_preference__mode",
            "alert_preference__email", "alert_preference__push", "alert_preference__sms",
            "alert_preference__daily_cap",
        )
    )  # fmt: skip
    if not rows:
        return {}
    lats = np.fromiter((r[1] for r in rows), float, len(rows))
    lons = np.fromiter((r[2] for r in rows), float, len(rows))
    radii = np.fromiter((r[3] for r in rows), float, len(rows))
    # Degrees of longitude shrink with latitude: scale them so a mile is a mile both ways,
    # then "within the place's radius of the area" is one planar distance test per place.
    scale = math.cos(mid)
    local = shapely.transform(area, lambda xy: xy * np.array([scale, 1.0]))
    shapely.prepare(local)
    xs = lons * scale
    # Most candidates lie inside the area: that test needs no point objects (the slow part of
    # shapely here, measured); only the others are tested against their radius.
    hit = shapely.intersects_xy(local, xs, lats)
    rest = np.flatnonzero(~hit)
    if rest.size:
        points = shapely.points(xs[rest], lats[rest])
        hit[rest] = shapely.dwithin(local, points, radii[rest] / shapes.MILES_PER_DEGREE_LAT)
    urgent = alert.urgent
    out: dict[int, Reach] = {}
    for row, inside in zip(rows, hit, strict=True):
        if not inside:
            continue
        resident, mode, email, push, sms, cap = row[0], row[4], row[5], row[6], row[7], row[8]
        reach = out.setdefault(resident, Reach(cap=cap if cap is not None else DEFAULT_DAILY_CAP))
        if mode is None:  # no preference saved for this place: the defaults
            reach.channels.update(DEFAULT_CHANNELS)
            mode = Mode.DIGEST
        else:
            reach.channels.update(
                name for name, on in (("email", email), ("push", push), ("sms", sms)) if on
            )
            reach.cap = min(reach.cap, cap)
        reach.instant = reach.instant or urgent or mode == Mode.INSTANT
    return out


def fan_out(alert: Alert) -> int:
    """Plan every resident's messages for the alert. Returns how many outbox rows were written.

    Call it after publish() (the console, the demo and the bench do); it is safe to call again.
    """
    agency = alert.agency
    reach = reached(alert)
    if not reach:
        Alert.objects.filter(pk=alert.pk).update(fanned_out_at=timezone.now(), recipients=0)
        return 0
    trigger = Trigger.ALERT_URGENT if alert.urgent else Trigger.ALERT
    now = timezone.now()
    day_ago = now - timedelta(days=1)
    # The daily cap: instant alerts each resident already had in the last day.
    had = dict(
        Delivery.objects.filter(
            alert__agency=agency, how=How.INSTANT, created__gt=day_ago,
        ).values_list("resident_id").annotate(n=Count("id"))
    )  # fmt: skip
    contacts = contacts_of(agency, set(reach))

    context = {"alert_title": alert.title, "alert_text": alert.body, "alert_url": feeds.page(alert)}

    deliveries: list[list[object]] = []
    instant_ids: list[int] = []
    for resident_id, r in reach.items():
        capped = not alert.urgent and had.get(resident_id, 0) >= r.cap
        how = How.INSTANT if r.instant and not capped else How.DIGEST
        deliveries.append([alert.pk, resident_id, how, ",".join(sorted(r.channels)), now])
        if how == How.INSTANT:
            instant_ids.append(resident_id)

    with transaction.atomic():
        # calls/bulk.insert: one prepared statement per batch, without the ORM's per-value
        # preparation (which is most of bulk_create's time at this size, measured).
        for start in range(0, len(deliveries), BATCH):
            bulk.insert(Delivery, DELIVERY_COLUMNS, deliveries[start : start + BATCH],
                        ignore_conflicts=True)  # fmt: skip
        # Only residents this fan-out recorded (a second call finds them recorded already).
        fresh = set(
            Delivery.objects.filter(alert=alert, how=How.INSTANT, created=now).values_list(
                "resident_id", flat=True
            )
        )
        wanted = {rid: reach[rid].channels for rid in instant_ids if rid in fresh}
        written = plan_rows(
            agency, trigger, wanted, f"alert:{alert.pk}", context,
            contacts=contacts, expires_at=alert.expires_at, now=now,
        )  # fmt: skip
        Alert.objects.filter(pk=alert.pk).update(
            fanned_out_at=timezone.now(), recipients=len(reach)
        )
    return written


def contacts_of(agency: Agency, residents: set[int]) -> dict[int, list[tuple[int, str]]]:
    """Resident id → [(contact id, channel)] for the residents' deliverable contacts."""
    contacts: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for resident_id, contact_id, channel in ResidentContact.objects.filter(
        resident__agency=agency, contact__undeliverable="", contact__address_enc__isnull=False
    ).values_list("resident_id", "contact_id", "channel"):
        if resident_id in residents:
            contacts[resident_id].append((contact_id, channel))
    return contacts


def plan_rows(
    agency: Agency,
    trigger: str,
    wanted: dict[int, set[str]],
    dedupe: str,
    context: dict[str, str],
    *,
    contacts: dict[int, list[tuple[int, str]]] | None = None,
    expires_at: datetime | None = None,
    now: datetime | None = None,
    rulebook: list[Rule] | None = None,
) -> int:
    """Outbox rows for residents (id → the channels they want), set-based, following the
    agency's rule for the trigger per channel (its words and validity), quiet hours for all
    but urgent triggers, the default sending number for SMS, and the dedupe key
    `<contact>:<trigger>:<dedupe>:<channel>` (a second call plans nothing twice). Call it
    inside the transaction that records why. Returns how many rows were written.
    `rulebook`: the trigger's rules, for a trigger whose rules another app keeps (assist)."""
    now = now or timezone.now()
    if rulebook is None:
        rulebook = wording.ensure_rules(agency)[trigger]
    rule_for: dict[str, Rule | None] = {
        channel.value: rules.first_match(rulebook, channel, rules.Facts())
        for channel in (Channel.EMAIL, Channel.SMS, Channel.PUSH)
    }
    if contacts is None:
        contacts = contacts_of(agency, set(wanted))
    priority = TRIGGER_PRIORITY[trigger]
    due = timing.after_quiet_hours(now, priority, DeliverySettings.for_agency(agency.pk), agency.tz)
    state = State.PLANNED if due <= now else State.SCHEDULED
    senders = Sender.objects.filter(agency=agency, is_default=True).order_by("id")
    sender_id = senders.values_list("id", flat=True).first()
    languages = (
        dict(Resident.objects.filter(agency=agency).values_list("id", "language")) if wanted else {}
    )
    written = 0
    rows: list[list[object]] = []
    for resident_id, channels in wanted.items():
        language = languages.get(resident_id, agency.default_language)
        for contact_id, channel in contacts.get(resident_id, ()):
            rule = rule_for.get(channel)
            if channel not in channels or rule is None:
                continue
            expires = due + timedelta(minutes=rule.valid_minutes)
            if expires_at is not None:
                expires = min(expires, expires_at)
            rows.append([
                agency.pk, contact_id, channel, trigger, rule.pk,
                sender_id if channel == Channel.SMS else None,
                f"{contact_id}:{trigger}:{dedupe}:{channel}", state, priority, due, expires,
                language, context, now, now, "", "", "", 0, "", "", "",
            ])  # fmt: skip
            if len(rows) >= BATCH:
                bulk.insert(Outbox, OUTBOX_COLUMNS, rows, ignore_conflicts=True)
                written += len(rows)
                rows = []
    bulk.insert(Outbox, OUTBOX_COLUMNS, rows, ignore_conflicts=True)
    return written + len(rows)


def withdraw(alert: Alert) -> int:
    """Drop the alert's messages that have not gone yet (it was cancelled). Returns how many."""
    keys = [f":{trigger}:alert:{alert.pk}:" for trigger in (Trigger.ALERT_URGENT, Trigger.ALERT)]
    waiting = Outbox.objects.filter(
        agency_id=alert.agency_id, state__in=[State.PLANNED, State.SCHEDULED],
        trigger__in=[Trigger.ALERT_URGENT, Trigger.ALERT],
    )  # fmt: skip
    count = 0
    for key in keys:
        count += waiting.filter(dedupe_key__contains=key).update(
            state=State.SUPPRESSED, reason=WITHDRAWN, updated=timezone.now()
        )
    Delivery.objects.filter(alert=alert, how=How.DIGEST, digested_at__isnull=True).delete()
    return count
