"""Agency voice: beats, alerts and posts targeted at an area, and the residents' push endpoints.

A Beat is a patrol area drawn by the agency (GeoJSON, imported by `porchlight alerts
import-beats`). An Alert is what the agency publishes: an alert or an agency post, aimed at a
radius, a drawn polygon or a set of beats, with a severity, an expiry, a verified badge and a
pin. The area is kept as GeoJSON on the row (the beats' shapes are copied in when it is
published), so the feeds, the fan-out and the alert page all read one shape, and editing a
beat later never moves an alert that already went out.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CodedArea(models.Model):
    """An agency's area known by a code (a beat, a district): its shape as imported from GeoJSON
    (beats.read_shapes/save_shapes) and its bounding box. Abstract: each kind keeps its own
    table and constraint names (alerts.Beat, insights.District)."""

    # No reverse accessor here; Beat overrides the field to keep its own (agency.beats).
    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=120, blank=True)
    # A GeoJSON Polygon or MultiPolygon geometry, WGS 84 (lon, lat), as imported.
    geometry = models.JSONField(_("shape"))
    # Its bounding box, so "which areas hold this point" reads a few rows, not every shape.
    min_lat = models.FloatField()
    max_lat = models.FloatField()
    min_lon = models.FloatField()
    max_lon = models.FloatField()
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["agency", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()

    @property
    def label(self) -> str:
        return self.name or self.code


class Beat(CodedArea):
    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="beats")

    class Meta(CodedArea.Meta):
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="beat_agency_code_unique")
        ]
        verbose_name = _("beat")
        verbose_name_plural = _("beats")


class Severity(models.TextChoices):
    # CAP 1.2's words follow in feeds.py; urgent is the only one that passes quiet hours.
    URGENT = "urgent", _("Urgent")
    WARNING = "warning", _("Warning")
    ADVISORY = "advisory", _("Advisory")
    INFO = "info", _("Information")


class Kind(models.TextChoices):
    ALERT = "alert", _("Alert")
    POST = "post", _("Agency post")


class Target(models.TextChoices):
    RADIUS = "radius", _("A radius around a point")
    POLYGON = "polygon", _("A drawn area")
    BEATS = "beats", _("Beats")


def _share_token() -> str:
    return secrets.token_urlsafe(9)


class Alert(models.Model):
    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="alerts")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.ALERT)
    title = models.CharField(_("title"), max_length=140)
    body = models.TextField(_("text"), max_length=2000)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.ADVISORY
    )
    target = models.CharField(_("area"), max_length=8, choices=Target.choices)
    center_lat = models.FloatField(null=True, blank=True)
    center_lon = models.FloatField(null=True, blank=True)
    radius_miles = models.FloatField(null=True, blank=True)
    beats = models.ManyToManyField(Beat, blank=True, related_name="alerts")
    # The area as GeoJSON (Polygon or MultiPolygon): drawn, or the beats' union, or the
    # radius as a 64-gon; what the feeds publish and the fan-out tests places against.
    area = models.JSONField(default=dict)
    area_label = models.CharField(_("area description"), max_length=200, blank=True)
    # Staff-published is verified; the badge is kept as a field so an imported or relayed
    # alert (from a county feed) can be shown without it.
    verified = models.BooleanField(_("verified"), default=True)
    pinned = models.BooleanField(_("pinned"), default=False)
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The public page's path: short and unguessable, so an unpublished draft id is not a list.
    share_token = models.CharField(max_length=16, unique=True, default=_share_token)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # When the fan-out wrote the last outbox row, and how many (the bench reads these).
    fanned_out_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["agency", "-published_at"], name="alert_agency_recent"),
        ]
        ordering = ["-pinned", "-published_at"]
        verbose_name = _("agency alert")
        verbose_name_plural = _("agency alerts")

    def __str__(self) -> str:
        return self.title

    def is_live(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.cancelled_at is None
            and self.published_at <= now
            and (self.expires_at is None or self.expires_at > now)
        )

    @property
    def urgent(self) -> bool:
        return self.severity == Severity.URGENT

    def area_geojson(self) -> dict[str, Any]:
        return dict(self.area)


def live(queryset: models.QuerySet[Alert], now: datetime | None = None) -> models.QuerySet[Alert]:
    """Alerts published, not cancelled and not expired."""
    now = now or timezone.now()
    return queryset.filter(cancelled_at__isnull=True, published_at__lte=now).filter(
        models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
    )


# --- residents' alert preferences -------------------------------------------------------------


class Mode(models.TextChoices):
    INSTANT = "instant", _("As they happen")
    DIGEST = "digest", _("Once a day, in a digest")


DEFAULT_DAILY_CAP = 3


class Preference(models.Model):
    """How a resident hears about alerts reaching one of their places.

    Urgent alerts always go at once (and through quiet hours): that is what urgent means. The
    rest follow the mode; past the daily cap of instant messages, further ones wait for the
    next digest rather than being dropped.
    """

    place = models.OneToOneField("community.Place", models.CASCADE, related_name="alert_preference")
    mode = models.CharField(_("how often"), max_length=8, choices=Mode.choices, default=Mode.DIGEST)
    email = models.BooleanField(_("by email"), default=True)
    push = models.BooleanField(_("by notification on this device"), default=False)
    sms = models.BooleanField(_("by text message"), default=False)
    daily_cap = models.PositiveSmallIntegerField(
        _("at most this many alerts a day"), default=DEFAULT_DAILY_CAP,
        help_text=_("Urgent alerts always come through; the others wait for the daily digest."),
    )  # fmt: skip
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("alert preference")
        verbose_name_plural = _("alert preferences")

    def __str__(self) -> str:
        return f"{self.place} {self.mode}"

    @property
    def channels(self) -> list[str]:
        return [name for name in ("email", "push", "sms") if getattr(self, name)]


class ResidentContact(models.Model):
    """A notify Contact (email, phone or push subscription) that belongs to a resident.

    The address itself lives encrypted in notify.Contact; this row only says whose it is, so
    the fan-out reads every resident's contacts with one query and staff never see them.
    """

    resident = models.ForeignKey(
        "community.Resident", models.CASCADE, related_name="alert_contacts"
    )
    contact = models.ForeignKey("notify.Contact", models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8)
    # For push: the browser it came from ("Chrome on Android"), so the resident can tell
    # their devices apart; never shown to staff.
    label = models.CharField(max_length=80, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "contact"], name="alerts_resident_contact_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} of resident {self.resident_id}"


class How(models.TextChoices):
    INSTANT = "instant", _("At once")
    DIGEST = "digest", _("In the digest")


class Delivery(models.Model):
    """That a resident is told about an alert, once, and how: the fan-out's dedupe (one row per
    resident and alert), the daily cap's count, and the digest's queue."""

    alert = models.ForeignKey(Alert, models.CASCADE, related_name="deliveries")
    resident = models.ForeignKey("community.Resident", models.CASCADE, related_name="+")
    how = models.CharField(max_length=8, choices=How.choices)
    # The channels to use for the digest ("email,push").
    channels = models.CharField(max_length=20, blank=True)
    created = models.DateTimeField(default=timezone.now)
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resident", "alert"], name="alerts_delivery_unique")
        ]
        indexes = [
            # The cap: a resident's instant alerts in the last day.
            models.Index(fields=["resident", "created"], name="alerts_delivery_recent"),
            # The digest's queue: only what waits.
            models.Index(
                fields=["resident"], condition=models.Q(how="digest", digested_at__isnull=True),
                name="alerts_delivery_waiting",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"alert {self.alert_id} to resident {self.resident_id} ({self.how})"


# --- staff replies to residents' posts ------------------------------------------------------------


class Pointer(models.TextChoices):
    NONE = "", _("Nothing more")
    REPORT_FORM = "report", _("File a report online")
    NON_EMERGENCY = "phone", _("Call the non-emergency number")


class StaffReply(models.Model):
    """The department answering a resident's post, shown under it with the agency's name
    (never the staff member's), optionally pointing to the report form or the number."""

    post = models.ForeignKey("community.Post", models.CASCADE, related_name="staff_replies")
    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("reply"), max_length=2000)
    points_to = models.CharField(
        _("point them to"), max_length=8, choices=Pointer.choices, blank=True, default=""
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"reply to post {self.post_id}"


# --- Neighborhood Watch -----------------------------------------------------------------------------


class WatchGroup(models.Model):
    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="watch_groups")
    name = models.CharField(_("name"), max_length=120)
    # GeoJSON Polygon or MultiPolygon: who may join (a place inside) and whose posts captains see.
    area = models.JSONField(_("area"))
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="alerts_watch_group_name")
        ]
        ordering = ["agency", "name"]

    def __str__(self) -> str:
        return self.name


class WatchRole(models.TextChoices):
    MEMBER = "member", _("Member")
    CAPTAIN = "captain", _("Block captain")


class WatchMember(models.Model):
    group = models.ForeignKey(WatchGroup, models.CASCADE, related_name="members")
    resident = models.ForeignKey("community.Resident", models.CASCADE, related_name="watch")
    role = models.CharField(max_length=8, choices=WatchRole.choices, default=WatchRole.MEMBER)
    joined = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "resident"], name="alerts_watch_member")
        ]

    def __str__(self) -> str:
        return f"{self.resident_id} in {self.group_id} ({self.role})"


class WatchMessage(models.Model):
    """The agency's message to a group: on the group's page, and sent to its members."""

    group = models.ForeignKey(WatchGroup, models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=140)
    body = models.TextField(_("text"), max_length=2000)
    created = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return self.title
