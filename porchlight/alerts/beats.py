"""Importing an agency's beats from a GeoJSON FeatureCollection (its GIS export).

Each feature is one beat: its code from a property (`beat` by default; GIS exports name it
BEAT, beat_id, …, so the property is an option) and an optional name. A beat already known by
its code gets the new shape; the others are added. Bad features are skipped with their
position and reason, never the whole file, so a map with one broken ring still loads.

The reasons are read by the person who uploaded the file (the district upload page shows them),
so they are translated when the file is read, in the language active then; the nouns differ
by import (a beat, a district), so each import passes its own sentences (Wording), whole
sentences a translator can agree in gender and order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from porchlight.agencies.models import Agency
from porchlight.alerts import shapes
from porchlight.alerts.models import Beat, CodedArea

# A beat map is a few hundred kilobytes; anything far larger is the wrong file.
MAX_BYTES = 20 * 1024 * 1024


class BeatFileError(ValueError):
    """The file as a whole cannot be read as beats."""


@dataclass
class ImportResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (feature number, reason)


def read_features(raw: bytes) -> list[dict[str, Any]]:
    if len(raw) > MAX_BYTES:
        raise BeatFileError(
            _("the file is larger than %(mb)d MB") % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        # The parser's own detail (line and column) stays as it is: it is not a sentence.
        raise BeatFileError(_("not JSON: %(detail)s") % {"detail": exc}) from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
        if isinstance(features, list):
            return features
    raise BeatFileError(_("expected a GeoJSON FeatureCollection with a list of features"))


@dataclass(frozen=True)
class Wording:
    """An import's skip reasons, with its own noun: `twice` takes %(code)s, `unusable` takes
    %(code)s and %(reason)s (the shape's own reason, translated by shapes.py)."""

    twice: str | Promise  # lazy: translated when the file is read
    unusable: str | Promise


BEAT_WORDING = Wording(
    twice=gettext_lazy("beat %(code)s appears twice; the first was kept"),
    unusable=gettext_lazy("beat %(code)s: %(reason)s"),
)


@dataclass
class Shape:
    """One feature read and checked: its code, name, GeoJSON geometry and bounding box."""

    code: str
    name: str
    geometry: dict[str, Any]
    bounds: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


def read_shapes(
    raw: bytes,
    result: ImportResult,
    *,
    code_property: str,
    name_property: str,
    wording: Wording,
) -> list[Shape]:
    """The file's features as shapes, each checked; bad ones go to result.skipped. Shared by
    every import of coded areas (beats here, districts in insights/districts.py)."""
    features = read_features(raw)
    seen: set[str] = set()
    rows: list[Shape] = []
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        properties = properties if isinstance(properties, dict) else {}
        code = str(_property(properties, code_property) or "").strip()[:32]
        if not code:
            result.skipped.append(
                (number, _("no %(property)s property") % {"property": repr(code_property)})
            )
            continue
        if code in seen:
            result.skipped.append((number, str(wording.twice) % {"code": code}))
            continue
        try:
            geometry = shapes.from_geojson(feature)
        except shapes.BadShape as exc:
            result.skipped.append((number, str(wording.unusable) % {"code": code, "reason": exc}))
            continue
        seen.add(code)
        name = str(_property(properties, name_property) or "").strip()[:120]
        rows.append(Shape(code, name, shapes.to_geojson(geometry), geometry.bounds))
    return rows


def save_shapes(
    model: type[CodedArea], agency: Agency, rows: list[Shape], result: ImportResult
) -> None:
    """Add or update the agency's rows of `model` (Beat, District: a CodedArea) by code, in
    one transaction."""
    now = timezone.now()
    with transaction.atomic():
        existing = {row.code: row for row in model._default_manager.filter(agency=agency)}
        for shape in rows:
            min_lon, min_lat, max_lon, max_lat = shape.bounds
            fields = {
                "name": shape.name, "geometry": shape.geometry, "min_lat": min_lat,
                "max_lat": max_lat, "min_lon": min_lon, "max_lon": max_lon, "updated": now,
            }  # fmt: skip
            found = existing.get(shape.code)
            if found is None:
                model._default_manager.create(agency=agency, code=shape.code, created=now, **fields)
                result.added.append(shape.code)
            else:
                model._default_manager.filter(pk=found.pk).update(**fields)
                result.updated.append(shape.code)


def import_geojson(
    agency: Agency, raw: bytes, *, code_property: str = "beat", name_property: str = "name"
) -> ImportResult:
    result = ImportResult()
    rows = read_shapes(
        raw, result, code_property=code_property, name_property=name_property, wording=BEAT_WORDING
    )
    save_shapes(Beat, agency, rows, result)
    return result


def _property(properties: dict[str, Any], name: str) -> Any:
    """A property by name, ignoring case (BEAT, Beat and beat are the same column)."""
    if name in properties:
        return properties[name]
    lowered = name.lower()
    for key, value in properties.items():
        if key.lower() == lowered:
            return value
    return None


def beats_at(agency: Agency, lat: float, lon: float) -> list[Beat]:
    """The agency's beats holding the point (by bounding box, then the shape)."""
    candidates = Beat.objects.filter(
        agency=agency, min_lat__lte=lat, max_lat__gte=lat, min_lon__lte=lon, max_lon__gte=lon
    )
    return [
        beat
        for beat in candidates
        if bool(shapes.contains(shapes.from_geojson(beat.geometry), [lat], [lon])[0])
    ]
