"""The agency's address table: what `geocode()` matches against, loaded by `porchlight geo
import` from CSV or OpenAddresses files."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from porchlight.agencies.models import Agency


class Address(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="addresses")
    # "1234", or "1234-B"/"1234½" as the source writes it; matching compares this text.
    number = models.CharField(_("number"), max_length=20)
    # Its leading digits as an integer ("1234-B" → 1234), for the nearest number on a street.
    number_int = models.IntegerField(null=True, blank=True)
    # Normalized: upper case, USPS abbreviations ("N MAIN ST"); see normalize.street_key().
    street = models.CharField(_("street"), max_length=120)
    # The street's name alone ("MAIN"): lets "Main" or "Main Street" find "N MAIN ST".
    street_name = models.CharField(_("street name"), max_length=120)
    unit = models.CharField(_("unit"), max_length=20, blank=True, default="")
    city = models.CharField(_("city"), max_length=80, blank=True, default="")
    state = models.CharField(_("state"), max_length=2, blank=True, default="")
    postcode = models.CharField(_("ZIP code"), max_length=10, blank=True, default="")
    # The address as people write it ("1234 N Main St"), for labels.
    label = models.CharField(_("label"), max_length=200)
    lat = models.FloatField()
    lon = models.FloatField()
    h3 = models.BigIntegerField(db_index=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        indexes = [
            # Matching: the exact street first, then the bare name.
            models.Index(fields=["agency", "street", "number"], name="geo_address_match"),
            models.Index(fields=["agency", "street_name", "number"], name="geo_address_name"),
            models.Index(fields=["agency", "street_name", "number_int"], name="geo_address_near"),
            # Radius queries: `agency=… AND h3 IN (…)` uses both columns of one index.
            models.Index(fields=["agency", "h3"], name="geo_address_cells"),
        ]

    def __str__(self) -> str:
        return self.label
