"""Importing an agency's district shapes from a GeoJSON FeatureCollection, for the district
maps on the dashboards. The file is read and checked by the beat importer's code
(alerts.beats.read_shapes): one feature a district, its code from a property (`district` by
default), bad features skipped with their reason, the rest added or updated by code."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from porchlight.agencies.models import Agency
from porchlight.alerts import beats
from porchlight.insights.models import District

# The file-level error is the beat importer's: the same checks raise it.
DistrictFileError = beats.BeatFileError

# The skip reasons that name the district (the shared reasons are translated in alerts).
WORDING = beats.Wording(
    twice=gettext_lazy("district %(code)s appears twice; the first was kept"),
    unusable=gettext_lazy("district %(code)s: %(reason)s"),
)


def import_geojson(
    agency: Agency, raw: bytes, *, code_property: str = "district", name_property: str = "name"
) -> beats.ImportResult:
    result = beats.ImportResult()
    rows = beats.read_shapes(
        raw, result, code_property=code_property, name_property=name_property, wording=WORDING
    )
    beats.save_shapes(District, agency, rows, result)
    return result


def shapes_of(agency: Agency) -> list[tuple[str, dict[str, Any]]]:
    return list(District.objects.filter(agency=agency).values_list("code", "geometry"))
