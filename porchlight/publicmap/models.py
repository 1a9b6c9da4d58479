"""What the public map shows: incidents published from CAD calls and RMS offenses.

A `PublishedIncident` is a public copy, never the source record: a public category instead of
the call type, the hundred block instead of the address, and a point moved off the block
(geo.blocks.generalize) instead of the caller's location. Which codes are shown, and under
which category, is the agency's `CategoryMapping`, read when the map is asked, so a mapping
changed in the admin changes the map at once.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """The public categories. Words a resident understands, not penal-code sections."""

    THEFT = "theft", _("Theft")
    BURGLARY = "burglary", _("Burglary")
    VEHICLE = "vehicle", _("Vehicle crime")
    ROBBERY = "robbery", _("Robbery")
    ASSAULT = "assault", _("Assault")
    VANDALISM = "vandalism", _("Vandalism")
    DISTURBANCE = "disturbance", _("Disturbance")
    TRAFFIC = "traffic", _("Traffic")
    SUSPICIOUS = "suspicious", _("Suspicious activity")
    ALARM = "alarm", _("Alarm")
    SERVICE = "service", _("Other calls for service")


class Kind(models.TextChoices):
    # A CAD call is what someone reported, not a finding: shown as a "call for service".
    CALL = "call", _("Call for service")
    # An RMS offense is what an officer recorded as a crime.
    OFFENSE = "offense", _("Reported crime")


class MapSettings(models.Model):
    """An agency's publication settings. Without a row, settings.PUBLICMAP_DELAY_MINUTES."""

    agency = models.OneToOneField(
        "agencies.Agency", models.CASCADE, related_name="map_settings", verbose_name=_("agency")
    )
    delay_minutes = models.PositiveIntegerField(
        _("publication delay (minutes)"),
        default=60,
        help_text=_(
            "A call appears on the public map this long after it began, so the map never "
            "shows an incident still in progress."
        ),
    )

    class Meta:
        verbose_name = _("public map settings")
        verbose_name_plural = _("public map settings")

    def __str__(self) -> str:
        return f"{self.agency}: {self.delay_minutes} min"


class CategoryMapping(models.Model):
    """One source code (a CAD call type, an RMS offense code) → a public category, or hidden.

    A row appears for every code the publish job meets, uncategorised (hidden) until staff
    choose a category; `sensitive` mirrors the source's own flag (CallType.sensitive or the
    agency's sensitive terms) and wins over any category.
    """

    agency = models.ForeignKey(
        "agencies.Agency", models.CASCADE, related_name="+", verbose_name=_("agency")
    )
    source = models.CharField(_("source"), max_length=16)
    code = models.CharField(_("code"), max_length=200)
    description = models.CharField(_("description"), max_length=200, blank=True)
    category = models.CharField(
        _("public category"),
        max_length=16,
        choices=Category.choices,
        blank=True,
        help_text=_("Empty: never shown on the public map."),
    )
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("Set from the call type or offense: sensitive codes are never published."),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "source", "code"], name="publicmap_mapping_unique"
            )
        ]
        ordering = ["agency_id", "source", "code"]
        verbose_name = _("public map category")
        verbose_name_plural = _("public map categories")

    def __str__(self) -> str:
        return f"{self.source}:{self.code} → {self.category or '-'}"

    @property
    def shown(self) -> bool:
        return bool(self.category) and not self.sensitive


class PublishedIncident(models.Model):
    """One public incident: category (through its mapping), time, hundred block, moved point."""

    agency = models.ForeignKey("agencies.Agency", models.CASCADE, related_name="+")
    source = models.CharField(max_length=16)  # the producer: "cad", "rms"
    key = models.CharField(max_length=64)  # the source record's id within the producer
    kind = models.CharField(max_length=8, choices=Kind.choices)
    mapping = models.ForeignKey(CategoryMapping, models.CASCADE, related_name="+")
    # The CAD call behind it, when there is one: an RMS offense for the same call replaces the
    # call's entry (offenses are preferred). Never shown.
    call_id = models.BigIntegerField(null=True, blank=True)
    occurred_at = models.DateTimeField()
    # The hundred block, kept apart so each page words it in its own language
    # (query.block_label): 1200 and "Truxtun Ave". No street: a snapped point only.
    block_number = models.IntegerField(null=True, blank=True)
    street = models.CharField(max_length=120, blank=True)
    lat = models.FloatField()
    lon = models.FloatField()
    h3 = models.BigIntegerField()
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "source", "key"], name="publicmap_incident_unique"
            )
        ]
        indexes = [
            # "Within a radius, since a date": one range scan per H3 cell of the covering. Not
            # agency-first: the map shows every agency of a deployment in the area asked for.
            # With every column the map reads (PostgreSQL; other databases ignore INCLUDE):
            # the filter, the distance, the order and each feature's fields come from the
            # index alone, an index-only scan that reads no row (query.matching(), for the
            # GeoJSON, the map page's list and its summary). With only the filter's columns,
            # each of a page's 1,000 rows was a scattered heap fetch (docs/performance.md).
            models.Index(
                fields=["h3", "occurred_at"],
                include=[
                    "id",
                    "lat",
                    "lon",
                    "mapping",
                    "agency",
                    "kind",
                    "block_number",
                    "street",
                ],
                name="publicmap_cells_time",
            ),  # fmt: skip
            # Bounding boxes too large for a cell list read the newest first.
            models.Index(fields=["occurred_at"], name="publicmap_recent"),
            models.Index(fields=["call_id"], name="publicmap_call"),
        ]
        verbose_name = _("published incident")
        verbose_name_plural = _("published incidents")

    def __str__(self) -> str:
        return f"{self.source}:{self.key} {self.block_number} {self.street}"


class Generation(models.Model):
    """One row: a token that changes whenever what the public map may show changes.

    The API's answer cache (publicmap/answers.py) keys every answer by it, so no answer made
    before a change is served after it. Triggers write it, not application code (migration
    0004): every path that publishes, withdraws or recategorises an incident, or renames an
    agency (the job, the admin, a shell, raw SQL), changes it in the same transaction. Tokens
    are never reused: a sequence on PostgreSQL (not rolled back), a 64-bit random() on SQLite.
    """

    id = models.PositiveSmallIntegerField(primary_key=True)  # always 1
    value = models.BigIntegerField()

    class Meta:
        verbose_name = _("public map generation")
        verbose_name_plural = _("public map generations")

    def __str__(self) -> str:
        return str(self.value)
