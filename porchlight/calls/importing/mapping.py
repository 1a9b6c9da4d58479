"""Column mappings: how one row of a calls-for-service export becomes CAD events.

An export row is one whole call: its received, dispatched, on-scene and cleared times are on
the same line. Each status time present becomes one CAD event with a deterministic id,
"<incident>:<status>", so importing the same rows again is a no-op for intake.

A field can name several columns. The first one the file has and the row fills wins: the same
list covers a header spelled differently from one year to the next ("Type_" and "Type") and a
value that falls back to another column (the final call type, else the original one).
"""

from __future__ import annotations

import hashlib
import math
import re
import zoneinfo
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any

import orjson

# The fields a mapping can fill, as CadEvent names them (x/y/point are coordinates to convert).
FIELDS = (
    "incident_number",
    "call_type",
    "call_type_description",
    "priority",
    "disposition",
    "address",
    "lat",
    "lon",
    "x",
    "y",
    "point",
    "beat",
    "district",
    "report_number",
    "call_taker_id",
)
# Status times, in the order a call goes through them.
TIMES = ("received", "pending", "dispatched", "enroute", "onscene", "cleared")
WGS84 = 4326


class MappingError(ValueError):
    """The mapping, or the file's header, cannot be used: nothing in the file can be read."""


def _columns(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str) and value.strip():
        return (value.strip(),)
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(v.strip() for v in value)
    raise MappingError(f"{where} must be a column name or a list of column names")


@dataclass(frozen=True)
class Mapping:
    name: str
    columns: dict[str, tuple[str, ...]]
    times: dict[str, tuple[str, ...]]
    time_formats: tuple[str, ...] = ()
    time_zone: str | None = None  # None: the agency's zone
    epsg: int = WGS84  # the coordinate system of x/y
    cancelled_dispositions: frozenset[str] = frozenset()
    extra: dict[str, tuple[str, ...]] = field(default_factory=dict)
    digest: str = ""

    @classmethod
    def from_dict(cls, name: str, data: Any) -> Mapping:
        """A mapping from its JSON form (docs/integrators-import.md), or a MappingError saying why not."""
        if not isinstance(data, MappingType):
            raise MappingError("a mapping must be a JSON object")
        unknown = set(data) - {
            "columns",
            "times",
            "time_formats",
            "time_zone",
            "epsg",
            "cancelled_dispositions",
            "extra",
        }
        if unknown:
            raise MappingError(f"unknown keys in the mapping: {', '.join(sorted(unknown))}")
        raw_columns = data.get("columns")
        if not isinstance(raw_columns, MappingType):
            raise MappingError('"columns" must be an object of field: column')
        bad = set(raw_columns) - set(FIELDS)
        if bad:
            raise MappingError(
                f'unknown fields in "columns": {", ".join(sorted(bad))} (known: {", ".join(FIELDS)})'
            )
        columns = {k: _columns(v, f"columns.{k}") for k, v in raw_columns.items()}
        if "incident_number" not in columns:
            raise MappingError('"columns" must name the incident_number column')
        raw_times = data.get("times")
        if not isinstance(raw_times, MappingType) or not raw_times:
            raise MappingError(
                '"times" must be an object of status: column, with at least one status'
            )
        bad = set(raw_times) - set(TIMES)
        if bad:
            raise MappingError(
                f'unknown statuses in "times": {", ".join(sorted(bad))} (known: {", ".join(TIMES)})'
            )
        times = {k: _columns(raw_times[k], f"times.{k}") for k in TIMES if k in raw_times}
        formats = data.get("time_formats", [])
        if not isinstance(formats, list) or not all(
            isinstance(f, str) and "%" in f for f in formats
        ):
            raise MappingError(
                '"time_formats" must be a list of strptime patterns, like "%m/%d/%Y %I:%M:%S %p"'
            )
        zone = data.get("time_zone")
        if zone is not None:
            try:
                zoneinfo.ZoneInfo(zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
                raise MappingError(f'"time_zone" {zone!r} is not a known time zone') from None
        epsg = data.get("epsg", WGS84)
        if not isinstance(epsg, int) or isinstance(epsg, bool):
            raise MappingError('"epsg" must be a number, like 2229')
        if epsg != WGS84:
            try:
                _transformer(epsg)
            except Exception:
                raise MappingError(
                    f'"epsg" {epsg} is not a coordinate system pyproj knows'
                ) from None
        cancelled = data.get("cancelled_dispositions", [])
        if not isinstance(cancelled, list) or not all(isinstance(c, str) for c in cancelled):
            raise MappingError('"cancelled_dispositions" must be a list of disposition codes')
        raw_extra = data.get("extra", {})
        if not isinstance(raw_extra, MappingType):
            raise MappingError('"extra" must be an object of name: column')
        extra = {k: _columns(v, f"extra.{k}") for k, v in raw_extra.items()}
        digest = hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()
        return cls(
            name=name,
            columns=columns,
            times=times,
            time_formats=tuple(formats),
            time_zone=zone,
            epsg=epsg,
            cancelled_dispositions=frozenset(c.upper() for c in cancelled),
            extra=extra,
            digest=digest,
        )

    def bind(self, header: list[str], default_zone: str) -> RowConverter:
        return RowConverter(self, header, zoneinfo.ZoneInfo(self.time_zone or default_zone))


@lru_cache(maxsize=8)
def _transformer(epsg: int) -> Any:
    from pyproj import Transformer

    return Transformer.from_crs(f"EPSG:{epsg}", f"EPSG:{WGS84}", always_xy=True)


_WKT_POINT = re.compile(
    r"^\s*POINT\s*\(\s*(-?[\d.]+(?:[eE][-+]?\d+)?)\s+(-?[\d.]+(?:[eE][-+]?\d+)?)\s*\)\s*$", re.I
)
_LAT_LON = re.compile(r"^\s*\(?\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*\)?\s*$")


def parse_point(text: str) -> tuple[float, float] | None:
    """(lat, lon) from WKT "POINT (lon lat)", Socrata's "(lat, lon)", or a GeoJSON point."""
    if m := _WKT_POINT.match(text):
        return float(m.group(2)), float(m.group(1))
    if m := _LAT_LON.match(text):
        return float(m.group(1)), float(m.group(2))
    if text.lstrip().startswith("{"):
        try:
            lon, lat = orjson.loads(text)["coordinates"][:2]
            return float(lat), float(lon)
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return None
    return None


class RowConverter:
    """A mapping bound to one file's header and time zone."""

    def __init__(self, mapping: Mapping, header: list[str], zone: tzinfo) -> None:
        self.mapping = mapping
        self.zone = zone
        present = set(header)

        def resolve(cols: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(c for c in cols if c in present)

        self.columns = {k: found for k, cols in mapping.columns.items() if (found := resolve(cols))}
        self.times = {k: found for k, cols in mapping.times.items() if (found := resolve(cols))}
        self.extra = {k: found for k, cols in mapping.extra.items() if (found := resolve(cols))}
        if "incident_number" not in self.columns:
            wanted = " or ".join(mapping.columns["incident_number"])
            raise MappingError(
                f"the header has no incident number column ({wanted}) for the {mapping.name} preset"
            )
        if not self.times:
            wanted = ", ".join(c for cols in mapping.times.values() for c in cols)
            raise MappingError(
                f"the header has none of the time columns ({wanted}) for the {mapping.name} preset"
            )
        self.header_size = len(header)
        self._formats = list(mapping.time_formats)
        self._transform = (
            _transformer(mapping.epsg) if mapping.epsg != WGS84 and "x" in self.columns else None
        )

    def _get(self, row: dict[str, Any], cols: tuple[str, ...]) -> str:
        for col in cols:
            value = row.get(col)
            if value:
                value = value.strip()
                if value:
                    return value
        return ""

    def parse_time(self, text: str) -> datetime | None:
        try:
            at = datetime.fromisoformat(text)
        except ValueError:
            at = None
            for i, fmt in enumerate(self._formats):
                try:
                    at = datetime.strptime(text, fmt)
                except ValueError:
                    continue
                if i:  # exports use one format throughout: try the one that worked first
                    self._formats.insert(0, self._formats.pop(i))
                break
        if at is None:
            return None
        return at if at.tzinfo is not None else at.replace(tzinfo=self.zone)

    def _location(self, row: dict[str, Any], notes: list[str]) -> dict[str, Any] | None:
        loc: dict[str, Any] = {}
        for name in ("address", "beat", "district"):
            if name in self.columns and (value := self._get(row, self.columns[name])):
                loc[name] = value
        lat_lon = self._coordinates(row, notes)
        if lat_lon is not None:
            loc["lat"], loc["lon"] = lat_lon
        return loc or None

    def _coordinates(self, row: dict[str, Any], notes: list[str]) -> tuple[Any, Any] | None:
        cols = self.columns
        if "lat" in cols and "lon" in cols:
            lat, lon = self._get(row, cols["lat"]), self._get(row, cols["lon"])
            if lat and lon and (lat, lon) != ("0", "0"):
                try:
                    return float(lat), float(lon)
                except ValueError:
                    # Passed on as they are: intake rejects them with its own reason, as the API does.
                    notes.append(f"coordinates {lat!r}, {lon!r} are not numbers")
                    return lat, lon
        if "point" in cols and (text := self._get(row, cols["point"])):
            point = parse_point(text)
            if point is not None:
                return point
            notes.append(
                f"{'/'.join(cols['point'])} {text!r} is not a point; tried the other coordinates"
            )
        if "x" in cols and "y" in cols:
            x, y = self._get(row, cols["x"]), self._get(row, cols["y"])
            if not x or not y:
                return None
            try:
                fx, fy = float(x), float(y)
            except ValueError:
                notes.append(f"coordinates {x!r}, {y!r} are not numbers")
                return x, y
            if fx == 0 or fy == 0:  # exports write 0 for "not geocoded" or "withheld"
                return None
            if self._transform is None:
                return fy, fx
            lon, lat = self._transform.transform(fx, fy)
            if not (math.isfinite(lat) and math.isfinite(lon)):
                notes.append(
                    f"coordinates {x!r}, {y!r} cannot be converted from EPSG:{self.mapping.epsg}"
                )
                return None
            return round(lat, 6), round(lon, 6)
        return None

    def convert(self, row: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
        """The CAD events for one row, and what was wrong with it (empty when nothing was)."""
        notes: list[str] = []
        if None in row:
            notes.append(f"the row has more fields than the header ({self.header_size})")
        elif any(v is None for v in row.values()):
            notes.append(f"the row has fewer fields than the header ({self.header_size})")
        cols = self.columns
        incident = self._get(row, cols["incident_number"])
        if not incident:
            notes.append(f"{'/'.join(cols['incident_number'])} (the incident number) is empty")
        base: dict[str, Any] = {"incident_number": incident}
        for name in (
            "call_type",
            "call_type_description",
            "priority",
            "report_number",
            "call_taker_id",
        ):
            if name in cols and (value := self._get(row, cols[name])):
                base[name] = value
        location = self._location(row, notes)
        if location:
            base["location"] = location
        if self.extra:
            extra = {k: v for k, c in self.extra.items() if (v := self._get(row, c))}
            if extra:
                base["export"] = extra  # kept in the event payload, for analysis and the simulator

        events: list[dict[str, Any]] = []
        for status, tcols in self.times.items():
            text = self._get(row, tcols)
            if not text:
                continue
            at = self.parse_time(text)
            if at is None:
                notes.append(f"{'/'.join(tcols)} {text!r} is not a date and time this preset reads")
            event_time = at.isoformat() if at is not None else text
            events.append(
                {
                    **base,
                    "event_id": f"{incident}:{status}",
                    "status": status,
                    "event_time": event_time,
                }
            )
        if not events:
            notes.append("the row has no status time")
            # Passed on so intake quarantines the row with its reason: nothing is dropped unseen.
            events.append(
                {**base, "event_id": f"{incident}:received", "status": "received", "event_time": ""}
            )
        if "disposition" in cols and (disposition := self._get(row, cols["disposition"])):
            last = events[-1]
            last["disposition"] = disposition
            if (
                last["status"] == "cleared"
                and disposition.upper() in self.mapping.cancelled_dispositions
            ):
                last["status"] = "cancelled"
                last["event_id"] = f"{incident}:cancelled"
        return events, notes
