"""The rollups the dashboards read, and the cursor that keeps them current.

CallRollup holds one row per agency, local day, beat, district, priority code and call type
code: how many calls began that day (by hour of the day), how many got a delay notice, and for
each interval a count per fixed response-time bucket (buckets.py), so percentiles come from
sums of these rows, not from reading the calls. BeatRollup is the same without the call type
(its sum over types): call types multiply the rows twentyfold, and most views do not filter
on one, so they read the smaller table. MonthRollup is BeatRollup summed by month and weekday,
for the whole months of long ranges. rollups.py writes all three; nothing else does.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from porchlight.alerts.models import CodedArea
from porchlight.insights import buckets

HOURS = [f"h{h:02d}" for h in range(24)]


class CallRollup(models.Model):
    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    day = models.DateField()  # the agency's local date of the call's first event
    beat = models.CharField(max_length=32, blank=True)
    district = models.CharField(max_length=32, blank=True)
    priority = models.CharField(max_length=16, blank=True)  # PriorityCode.code, or ""
    call_type = models.CharField(max_length=200, blank=True)  # CallType.code, or ""
    calls = models.PositiveIntegerField(default=0)
    delayed = models.PositiveIntegerField(default=0)  # calls with a delay notice sent

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "day", "beat", "district", "priority", "call_type"],
                name="insights_call_rollup_unique",
            )
        ]
        # With a call type chosen, its days: (agency, call_type, day) narrows to them.
        indexes = [
            models.Index(fields=["agency", "call_type", "day"], name="insights_call_rollup_type")
        ]
        verbose_name = _("call rollup")
        verbose_name_plural = _("call rollups")

    def __str__(self) -> str:
        return f"{self.day} {self.beat or '-'} {self.priority or '-'} {self.call_type or '-'}"


class BeatRollup(models.Model):
    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    day = models.DateField()
    beat = models.CharField(max_length=32, blank=True)
    district = models.CharField(max_length=32, blank=True)
    priority = models.CharField(max_length=16, blank=True)
    calls = models.PositiveIntegerField(default=0)
    delayed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "day", "beat", "district", "priority"],
                name="insights_beat_rollup_unique",
            )
        ]
        verbose_name = _("beat rollup")
        verbose_name_plural = _("beat rollups")

    def __str__(self) -> str:
        return f"{self.day} {self.beat or '-'} {self.priority or '-'}"


class MonthRollup(models.Model):
    """BeatRollup summed over the days of a month that fall on one weekday: a long range reads
    its whole months here (a year is ~12 × 7 rows per beat × priority instead of 365), and only
    the days at its ends from BeatRollup. The weekday is kept because the calls dashboard draws
    volume by day of the week × hour; it costs 7 rows a month, still ~4× fewer than days."""

    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the local month
    weekday = models.PositiveSmallIntegerField()  # ISO: 1 = Monday … 7 = Sunday
    beat = models.CharField(max_length=32, blank=True)
    district = models.CharField(max_length=32, blank=True)
    priority = models.CharField(max_length=16, blank=True)
    calls = models.PositiveIntegerField(default=0)
    delayed = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "month", "weekday", "beat", "district", "priority"],
                name="insights_month_rollup_unique",
            )
        ]
        verbose_name = _("month rollup")
        verbose_name_plural = _("month rollups")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.weekday} {self.beat or '-'} {self.priority or '-'}"


COUNTS = HOURS + [c for m in buckets.METRICS for c in buckets.columns(m)]
# Calls per local hour of the day, and the response-time histograms: plain integer columns,
# so a dashboard's figures are one SUM(...) GROUP BY in the database.
for _model in (CallRollup, BeatRollup, MonthRollup):
    for _name in COUNTS:
        _model.add_to_class(_name, models.PositiveIntegerField(default=0))


class Cursor(models.Model):
    """How far the rollup job has read: the last CAD event id and delay-notice send time."""

    name = models.CharField(max_length=32, primary_key=True)
    event_id = models.BigIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    ran_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rollup cursor")
        verbose_name_plural = _("rollup cursors")

    def __str__(self) -> str:
        return f"{self.name} @ {self.event_id}"


class District(CodedArea):
    """A district's shape, for the dashboards' district maps: imported from GeoJSON like the
    beats (alerts.beats, whose reading and checks districts.py reuses), with Beat's fields
    (alerts.models.CodedArea). The code is what CAD sends as the call's district. Here rather
    than beside Beat: only the dashboards read it, and nothing is published to a district."""

    class Meta(CodedArea.Meta):
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="district_agency_code_unique")
        ]
        verbose_name = _("district")
        verbose_name_plural = _("districts")
