"""Requests for assistance (C8): the department asks residents near an incident to share
footage or photos, with consent, and every request is public.

Privacy is in the shape of the data:
- a request's exact area (centre and radius, or polygon) is for the fan-out only; the public
  log reads `public_area` (the beats it touches, or a neighbourhood staff name);
- a Share names its resident for the resident's own pages (withdrawal) and the fan-out's
  dedupe; staff read `contact_name`/`contact_email`/`contact_phone`, copied onto the share
  only when the resident ticked "you may contact me";
- the request carries its own `retention_days`, fixed when it is created, so what residents
  were told when they shared ("deleted N days after the request expires") stays true even if
  the agency's policy changes later.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The defaults, and the most any agency may allow (a policy can only tighten them).
MAX_RADIUS_M = 805  # half a mile
MAX_WINDOW_HOURS = 12
MAX_EXPIRY_DAYS = 30
DEFAULT_RETENTION_DAYS = 30
# A drawn polygon may enclose at most the area of the largest circle (π × 805 m²).
MAX_POLYGON_M2 = 2_035_000


class Policy(models.Model):
    """An agency's own limits, each at most the default (empty: the default)."""

    agency = models.OneToOneField(
        "agencies.Agency", models.CASCADE, related_name="assist_policy", verbose_name=_("agency")
    )
    max_radius_m = models.PositiveIntegerField(
        _("largest radius (metres)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(50), MaxValueValidator(MAX_RADIUS_M)],
    )
    max_window_hours = models.PositiveSmallIntegerField(
        _("longest time window (hours)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_WINDOW_HOURS)],
    )
    max_expiry_days = models.PositiveSmallIntegerField(
        _("longest open period (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_EXPIRY_DAYS)],
    )
    retention_days = models.PositiveSmallIntegerField(
        _("days shares are kept after the request expires"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(DEFAULT_RETENTION_DAYS)],
    )

    class Meta:
        verbose_name = _("assistance request policy")
        verbose_name_plural = _("assistance request policies")
        constraints = [
            # The database refuses loosening too, whatever path writes the row.
            models.CheckConstraint(
                condition=models.Q(max_radius_m__isnull=True)
                | models.Q(max_radius_m__lte=MAX_RADIUS_M),
                name="assist_policy_radius_tightens",
            ),
            models.CheckConstraint(
                condition=models.Q(max_window_hours__isnull=True)
                | models.Q(max_window_hours__lte=MAX_WINDOW_HOURS),
                name="assist_policy_window_tightens",
            ),
            models.CheckConstraint(
                condition=models.Q(max_expiry_days__isnull=True)
                | models.Q(max_expiry_days__lte=MAX_EXPIRY_DAYS),
                name="assist_policy_expiry_tightens",
            ),
            models.CheckConstraint(
                condition=models.Q(retention_days__isnull=True)
                | models.Q(retention_days__lte=DEFAULT_RETENTION_DAYS),
                name="assist_policy_retention_tightens",
            ),
        ]

    def __str__(self) -> str:
        return str(self.agency)


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Waiting for approval")
    SENT = "sent", _("Approved and sent")
    REJECTED = "rejected", _("Rejected")
    CLOSED = "closed", _("Closed")
    EXPIRED = "expired", _("Expired")


class AssistanceRequest(models.Model):
    agency = models.ForeignKey(
        "agencies.Agency", models.CASCADE, related_name="assist_requests", verbose_name=_("agency")
    )
    case = models.ForeignKey(
        "cases.Case", models.PROTECT, related_name="assist_requests", verbose_name=_("case")
    )
    # The exact area: a centre and radius, or a drawn polygon. Never public.
    center_lat = models.FloatField(null=True, blank=True)
    center_lon = models.FloatField(null=True, blank=True)
    radius_m = models.PositiveIntegerField(_("radius (metres)"), null=True, blank=True)
    polygon = models.JSONField(_("drawn area"), null=True, blank=True)
    # The area as one GeoJSON polygon (the radius as a 64-gon): what the fan-out tests.
    area = models.JSONField(default=dict)
    # What the public log shows: the beats the area touches, or the neighbourhood.
    public_area = models.CharField(_("area (public)"), max_length=200)
    window_start = models.DateTimeField(_("from"))
    window_end = models.DateTimeField(_("until"))
    incident_type = models.CharField(_("incident type"), max_length=100)
    description = models.TextField(_("what is asked, and why"), max_length=2000)
    contact_name = models.CharField(_("investigator"), max_length=120)
    contact_phone = models.CharField(_("investigator's phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("investigator's email"), blank=True)
    expires_at = models.DateTimeField(_("open until"))
    retention_days = models.PositiveSmallIntegerField(
        _("days shares are kept after the request expires"), default=DEFAULT_RETENTION_DAYS
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rejected_reason = models.CharField(_("reason for rejecting"), max_length=300, blank=True)
    ended_at = models.DateTimeField(_("closed or expired"), null=True, blank=True)
    residents_notified = models.PositiveIntegerField(_("residents notified"), default=0)
    shares_received = models.PositiveIntegerField(_("shares received"), default=0)

    class Meta:
        verbose_name = _("assistance request")
        verbose_name_plural = _("assistance requests")
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["agency", "status", "created"], name="assist_request_log"),
            models.Index(fields=["status", "expires_at"], name="assist_request_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(window_end__gt=models.F("window_start")),
                name="assist_request_window_order",
            ),
            models.CheckConstraint(
                condition=models.Q(radius_m__isnull=True) | models.Q(radius_m__lte=MAX_RADIUS_M),
                name="assist_request_radius_cap",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident_type} ({self.get_status_display()})"

    @property
    def open_for_shares(self) -> bool:
        return self.status == Status.SENT and self.expires_at > timezone.now()

    @property
    def ends_at(self) -> datetime:
        """When sharing stopped or stops: closed early, or the expiry."""
        if self.ended_at is not None and self.ended_at < self.expires_at:
            return self.ended_at
        return self.expires_at


CONSENT_VERSION = "2026-12-1"


class Share(models.Model):
    request = models.ForeignKey(
        AssistanceRequest, models.CASCADE, related_name="shares", verbose_name=_("request")
    )
    # Null once the resident deleted their account and the share survived as evidence.
    resident = models.ForeignKey(
        "community.Resident",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="assist_shares",
        verbose_name=_("resident"),
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)
    consent_contact = models.BooleanField(_("may be contacted"), default=False)
    # Copied only with consent_contact: all staff ever read of who shared.
    contact_name = models.CharField(_("name"), max_length=120, blank=True)
    contact_email = models.EmailField(_("email"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=32, blank=True)
    consent_version = models.CharField(_("consent text version"), max_length=20)
    created = models.DateTimeField(_("shared"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    taken_into_evidence_at = models.DateTimeField(_("taken into evidence"), null=True, blank=True)
    taken_into_evidence_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    deleted_at = models.DateTimeField(_("files deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"share {self.pk}"

    @property
    def live(self) -> bool:
        return self.withdrawn_at is None and self.deleted_at is None

    @property
    def can_withdraw(self) -> bool:
        return self.live and self.taken_into_evidence_at is None


class ShareFile(models.Model):
    share = models.ForeignKey(Share, models.CASCADE, related_name="files", verbose_name=_("share"))
    media_file = models.ForeignKey(
        "media.MediaFile", models.PROTECT, related_name="+", verbose_name=_("media file")
    )

    class Meta:
        verbose_name = _("shared file")
        verbose_name_plural = _("shared files")

    def __str__(self) -> str:
        return str(self.media_file)
