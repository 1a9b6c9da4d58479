"""An alert's fan-out: one outbox row per resident contact it reaches, written in bulk.

Who: residents with a place inside the alert's area, or whose place's radius reaches into it,
or whose drawn area (a place drawn as a polygon) meets it.
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
from typing import Any

import numpy as np
import shapely
from django.db import connections, models, router, transaction
from django.db.models import Count
from django.utils import timezone
from shapely.geometry import shape as geojson_shape

from porchlight.agencies.models import Agency
from porchlight.alerts import feeds, shapes, wording
from porchlight.alerts.models import DEFAULT_DAILY_CAP, Alert, Delivery, How, Mode, ResidentContact
from porchlight.calls import bulk
from porchlight.community.models import MAX_RADIUS_MILES, Place, Resident
from porchlight.notify import rules, timing
from porchlight.notify.models import (
    TRIGGER_PRIORITY,
    Channel,
    Contact,
    DeliverySettings,
    Outbox,
    Rule,
    Sender,
    State,
    Trigger,
)

BATCH = 5000
# From this many instant deliveries, the outbox rows' INSERT … SELECT joins by hashing
# (plan_from_deliveries; measured at 50,000: docs/performance.md "Alert fan-out").
HASH_JOINS_FROM = 2000
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
            "alert_preference__daily_cap", "area",
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
    # Drawn places (few): the alert reaches them when its area meets theirs.
    for i, row in enumerate(rows):
        if row[9]:
            hit[i] = area.intersects(geojson_shape(row[9]))
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

    context = {"alert_title": alert.title, "alert_text": alert.body, "alert_url": feeds.page(alert)}

    deliveries: list[list[object]] = []
    for resident_id, r in reach.items():
        capped = not alert.urgent and had.get(resident_id, 0) >= r.cap
        how = How.INSTANT if r.instant and not capped else How.DIGEST
        deliveries.append([alert.pk, resident_id, how, ",".join(sorted(r.channels)), now])

    with transaction.atomic():
        # calls/bulk.insert: one prepared statement per batch, without the ORM's per-value
        # preparation (which is most of bulk_create's time at this size, measured).
        for start in range(0, len(deliveries), BATCH):
            bulk.insert(Delivery, DELIVERY_COLUMNS, deliveries[start : start + BATCH],
                        ignore_conflicts=True)  # fmt: skip
        # The outbox rows, in SQL, from the deliveries just recorded: no row crosses into
        # Python (a second call finds its deliveries recorded by the first, so plans nothing).
        instant = sum(1 for row in deliveries if row[2] == How.INSTANT)
        written = plan_from_deliveries(
            alert, trigger, context, expires_at=alert.expires_at, now=now, many=instant
        )
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


def _rule_and_expiry(
    agency: Agency, trigger: str, due: datetime, expires_at: datetime | None
) -> dict[str, tuple[int, datetime]]:
    """Channel → (the agency's rule for the trigger, when a row planned now expires), for the
    channels that have an enabled rule (a channel without one gets no rows, as in
    plan.message())."""
    rulebook = wording.ensure_rules(agency)[trigger]
    out: dict[str, tuple[int, datetime]] = {}
    for channel in (Channel.EMAIL, Channel.SMS, Channel.PUSH):
        rule = rules.first_match(rulebook, channel, rules.Facts())
        if rule is None:
            continue
        expires = due + timedelta(minutes=rule.valid_minutes)
        if expires_at is not None:
            expires = min(expires, expires_at)
        out[channel.value] = (rule.pk, expires)
    return out


def plan_from_deliveries(
    alert: Alert,
    trigger: str,
    context: dict[str, str],
    *,
    expires_at: datetime | None,
    now: datetime,
    many: int = 0,
) -> int:
    """The outbox rows for the alert's instant deliveries recorded at `now`, as ONE
    `INSERT … SELECT` joining them to the residents' contacts: the same rows plan_rows()
    writes (the rule per channel, quiet hours for all but urgent triggers, the default sending
    number for SMS, the resident's language, the dedupe key
    `<contact>:<trigger>:alert:<id>:<channel>` with conflicts ignored), and only to contacts
    that can be reached (not marked undeliverable, not purged) through a channel the
    resident's preference asked for. Returns how many rows were inserted. `many`: about how
    many instant deliveries there are (the plan's join strategy on PostgreSQL)."""
    agency = alert.agency
    priority = TRIGGER_PRIORITY[trigger]
    due = timing.after_quiet_hours(now, priority, DeliverySettings.for_agency(agency.pk), agency.tz)
    state = State.PLANNED if due <= now else State.SCHEDULED
    per_channel = _rule_and_expiry(agency, trigger, due, expires_at)
    if not per_channel:
        return 0
    sender_id = (
        Sender.objects.filter(agency=agency, is_default=True)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    connection = connections[router.db_for_write(Outbox)]
    due_field = models.DateTimeField()
    context_field = models.JSONField()

    def when(value: datetime) -> Any:
        # What the ORM would send for a DateTimeField (naive UTC text on SQLite).
        return due_field.get_db_prep_value(value, connection)

    channels = list(per_channel)
    marks = ", ".join(["%s"] * len(channels))
    # Typed parameters: PostgreSQL cannot infer a CASE's or a bare parameter's type from the
    # column it is inserted into. SQLite stores what it is given (a CAST to a timestamp type
    # there would turn the text into a number), so it gets the bare parameters.
    pg = connection.vendor == "postgresql"
    big = "CAST(%s AS bigint)" if pg else "%s"
    ts = "CAST(%s AS timestamptz)" if pg else "%s"
    text = "text" if pg else "TEXT"
    json_param = "CAST(%s AS jsonb)" if pg else "%s"
    rule_case = " ".join(f"WHEN %s THEN {big}" for _ in channels)
    expiry_case = " ".join(f"WHEN %s THEN {ts}" for _ in channels)
    outbox = Outbox._meta.db_table
    sql = f"""
        INSERT INTO {outbox} (
            agency_id, contact_id, channel, "trigger", rule_id, sender_id, dedupe_key, state,
            priority, due_at, expires_at, language, context, created, updated, reason, subject,
            body, attempts, claimed_by, provider_id, error_code
        )
        SELECT {big}, rc.contact_id, rc.channel, %s,
               CASE rc.channel {rule_case} END,
               CASE WHEN rc.channel = %s THEN {big} ELSE NULL END,
               CAST(rc.contact_id AS {text}) || %s || rc.channel,
               %s, {big}, {ts},
               CASE rc.channel {expiry_case} END,
               r.language, {json_param}, {ts}, {ts}, '', '', '', 0, '', '', ''
        FROM {Delivery._meta.db_table} d
        JOIN {ResidentContact._meta.db_table} rc ON rc.resident_id = d.resident_id
        JOIN {Contact._meta.db_table} c ON c.id = rc.contact_id
        JOIN {Resident._meta.db_table} r ON r.id = d.resident_id
        WHERE d.alert_id = {big} AND d.how = %s AND d.created = {ts}
          AND c.undeliverable = '' AND c.address_enc IS NOT NULL
          AND rc.channel IN ({marks})
          AND (',' || d.channels || ',') LIKE ('%%,' || rc.channel || ',%%')
        ON CONFLICT (dedupe_key) DO NOTHING
    """
    params: list[Any] = [agency.pk, trigger]
    for channel in channels:
        params += [channel, per_channel[channel][0]]
    params += [Channel.SMS.value, sender_id, f":{trigger}:alert:{alert.pk}:"]
    params += [state, priority, when(due)]
    for channel in channels:
        params += [channel, when(per_channel[channel][1])]
    params += [
        context_field.get_db_prep_value(context, connection),
        when(now),
        when(now),
        alert.pk,
        How.INSTANT.value,
        when(now),
        *channels,
    ]
    # The deliveries were written a moment ago in this transaction, so PostgreSQL has no
    # statistics for them and plans one row: three index probes per delivery (EXPLAIN ANALYZE
    # at 50,000: 2.4 s of nested loops). Hash joins read each table once instead; for a few
    # deliveries the probes are right, so only a large fan-out turns nested loops off.
    hash_joins = pg and many >= HASH_JOINS_FROM
    with connection.cursor() as cursor:
        if hash_joins:
            cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(sql, params)
        written = max(cursor.rowcount, 0)
        if hash_joins:
            cursor.execute("SET LOCAL enable_nestloop TO DEFAULT")
    return written


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
