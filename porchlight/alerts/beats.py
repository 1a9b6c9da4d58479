"""Importing an agency's beats from a GeoJSON FeatureCollection (its GIS export).

Each feature is one beat: its code from a property (`beat` by default; GIS exports name it
BEAT, beat_id, …, so the property is an option) and an optional name. A beat already known by
its code gets the new shape; the others are added. Bad features are skipped with their
position and reason, never the whole file, so a map with one broken ring still loads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from porchlight.agencies.models import Agency
from porchlight.alerts import shapes
from porchlight.alerts.models import Beat

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
        raise BeatFileError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BeatFileError(f"not JSON: {exc}") from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
        if isinstance(features, list):
            return features
    raise BeatFileError("expected a GeoJSON FeatureCollection with a list of features")


def import_geojson(
    agency: Agency, raw: bytes, *, code_property: str = "beat", name_property: str = "name"
) -> ImportResult:
    features = read_features(raw)
    result = ImportResult()
    seen: set[str] = set()
    rows: list[tuple[str, str, dict[str, Any], tuple[float, float, float, float]]] = []
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        properties = properties if isinstance(properties, dict) else {}
        code = str(_property(properties, code_property) or "").strip()[:32]
        if not code:
            result.skipped.append((number, f"no {code_property!r} property"))
            continue
        if code in seen:
            result.skipped.append((number, f"beat {code} appears twice; the first was kept"))
            continue
        try:
            geometry = shapes.from_geojson(feature)
        except shapes.BadShape as exc:
            result.skipped.append((number, f"beat {code}: {exc}"))
            continue
        seen.add(code)
        name = str(_property(properties, name_property) or "").strip()[:120]
        rows.append((code, name, shapes.to_geojson(geometry), geometry.bounds))

    now = timezone.now()
    with transaction.atomic():
        existing = {beat.code: beat for beat in Beat.objects.filter(agency=agency)}
        for code, name, geometry_json, (min_lon, min_lat, max_lon, max_lat) in rows:
            fields = {
                "name": name, "geometry": geometry_json, "min_lat": min_lat, "max_lat": max_lat,
                "min_lon": min_lon, "max_lon": max_lon, "updated": now,
            }  # fmt: skip
            beat = existing.get(code)
            if beat is None:
                Beat.objects.create(agency=agency, code=code, created=now, **fields)
                result.added.append(code)
            else:
                Beat.objects.filter(pk=beat.pk).update(**fields)
                result.updated.append(code)
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
