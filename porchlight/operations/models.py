"""Operations (C10): what the intake feeds are doing, how long personal data is kept, and what
blocks its purge.

- `FeedCursor` and `Feed`: a consumer of the CAD event log (its id is the arrival order), kept
  incrementally so the intake health page and the silence check never scan the log.
- `FeedSilence`: one row per silence of one feed (keyed by the last event before it), so the
  alert email goes once per silence whatever the number of workers.
- `RetentionSettings`, `RecordsSchedule`, `LegalHold`: the agency's purge policy and its blocks.
- `Purge`: what was purged (ids and counts, never the data).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_PURGE_DAYS = 180


class FeedCursor(models.Model):
    """How far the feed statistics have read the event log (one row, id 1)."""

    last_event_id = models.BigIntegerField(default=0)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("feed cursor")
        verbose_name_plural = _("feed cursors")

    def __str__(self) -> str:
        return f"event log read to #{self.last_event_id}"


class Feed(models.Model):
    """One intake feed (an agency's events from one source) as the event log showed it."""

    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    source = models.CharField(_("source"), max_length=60)
    last_event_id = models.BigIntegerField(default=0)
    last_arrived_at = models.DateTimeField(_("last event"), null=True, blank=True)
    # Recent gaps between batches, in seconds, newest last (operations/feeds.py caps them).
    gaps = models.JSONField(default=list, blank=True)
    # Events per arrival minute ("2026-12-04T16:47" → n), the last hour or so only.
    minutes = models.JSONField(default=dict, blank=True)
    total = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "source"], name="operations_feed_unique")
        ]
        ordering = ["agency_id", "source"]
        verbose_name = _("intake feed")
        verbose_name_plural = _("intake feeds")

    def __str__(self) -> str:
        return self.source


class FeedSilence(models.Model):
    """A feed that stayed silent longer than its usual gap. Unique on the feed's last event
    before the silence, so detecting it again (another worker, another run) changes nothing."""

    feed = models.ForeignKey(Feed, models.CASCADE, related_name="silences")
    last_event_id = models.BigIntegerField()
    last_arrived_at = models.DateTimeField()
    usual_gap_seconds = models.PositiveIntegerField()
    detected_at = models.DateTimeField(default=timezone.now)
    alerted_at = models.DateTimeField(null=True, blank=True)
    # How many admins the email went to; 0 when the agency has no admin with an email address.
    emailed_to = models.PositiveSmallIntegerField(default=0)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["feed", "last_event_id"], name="operations_silence_once"
            )
        ]
        ordering = ["-detected_at", "-id"]
        verbose_name = _("feed silence")
        verbose_name_plural = _("feed silences")

    def __str__(self) -> str:
        return f"{self.feed} silent since {self.last_arrived_at:%Y-%m-%d %H:%M}"


class RetentionSettings(models.Model):
    """How long caller and reporter personal data is kept after the call clears or the case
    closes."""

    agency = models.OneToOneField(
        "agencies.Agency",
        models.CASCADE,
        primary_key=True,
        related_name="retention",
        verbose_name=_("agency"),
    )
    purge_after_days = models.PositiveIntegerField(
        _("purge personal data after (days)"),
        default=DEFAULT_PURGE_DAYS,
        help_text=_("Days after a call clears or a case closes."),
    )

    class Meta:
        verbose_name = _("retention settings")
        verbose_name_plural = _("retention settings")

    def __str__(self) -> str:
        return f"{self.agency}: {self.purge_after_days} days"

    @classmethod
    def days_for(cls, agency_id: int) -> int:
        found = cls.objects.filter(agency_id=agency_id).values_list("purge_after_days", flat=True)
        return next(iter(found), DEFAULT_PURGE_DAYS)


class RecordKind(models.TextChoices):
    CALL = "call", _("Calls for service")
    CASE = "case", _("Cases")
    REPORT = "report", _("Online reports")


class RecordsSchedule(models.Model):
    """The agency's records schedule: the least time a kind of record is kept whole. A purge
    waits for the longer of this and the retention setting."""

    agency = models.ForeignKey(
        "agencies.Agency", models.CASCADE, related_name="+", verbose_name=_("agency")
    )
    kind = models.CharField(_("record kind"), max_length=8, choices=RecordKind.choices)
    min_days = models.PositiveIntegerField(_("keep at least (days)"))
    authority = models.CharField(
        _("authority"), max_length=200, blank=True, help_text=_("The rule or schedule item.")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "kind"], name="operations_schedule_unique")
        ]
        ordering = ["agency_id", "kind"]
        verbose_name = _("records schedule item")
        verbose_name_plural = _("records schedule")

    def __str__(self) -> str:
        return f"{self.kind}: {self.min_days} days"


class LegalHold(models.Model):
    """A litigation hold: nothing of its call, case or contact is purged until it is released.
    Released holds stay, for the record."""

    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    call = models.ForeignKey("calls.Call", models.CASCADE, null=True, blank=True, related_name="+")
    case = models.ForeignKey("cases.Case", models.CASCADE, null=True, blank=True, related_name="+")
    contact = models.ForeignKey(
        "notify.Contact", models.CASCADE, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    release_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(call__isnull=False, case__isnull=True, contact__isnull=True)
                    | models.Q(call__isnull=True, case__isnull=False, contact__isnull=True)
                    | models.Q(call__isnull=True, case__isnull=True, contact__isnull=False)
                ),
                name="operations_hold_one_target",
            )
        ]
        ordering = ["-created", "-id"]
        verbose_name = _("litigation hold")
        verbose_name_plural = _("litigation holds")

    def __str__(self) -> str:
        return f"hold {self.pk} ({'released' if self.released_at else 'active'})"

    @property
    def active(self) -> bool:
        return self.released_at is None


class Purge(models.Model):
    """One call's or case's personal data, purged: which record, when, and how much (counts of
    contacts and fields), never the data itself. Unique per record: a purge runs once."""

    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=RecordKind.choices)
    record_id = models.BigIntegerField()
    label = models.CharField(max_length=60)  # the incident or case number, not personal
    purged_at = models.DateTimeField(default=timezone.now)
    contacts = models.PositiveIntegerField(default=0)
    fields = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "kind", "record_id"], name="operations_purge_once"
            )
        ]
        indexes = [models.Index(fields=["agency", "-purged_at"], name="operations_purge_recent")]
        ordering = ["-purged_at", "-id"]
        verbose_name = _("purge")
        verbose_name_plural = _("purges")

    def __str__(self) -> str:
        return f"{self.kind} {self.label} purged"
