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
from datetime import date, datetime, time, tzinfo
from functools import lru_cache
from typing import Any

import orjson

from porchlight.calls import reasons
from porchlight.calls.schemas import implausible, plausible_window

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
    "status",  # the export's own status word for the call ("Closed", "CAN"), read through values
)
# Status times, in the order a call goes through them.
TIMES = ("received", "pending", "dispatched", "enroute", "onscene", "cleared")
WGS84 = 4326
STATUSES = ("received", "pending", "dispatched", "enroute", "onscene", "cleared", "cancelled")
# "date_order" for dates like 03/04/2023, which read both ways.
DATE_ORDERS = {
    "month_first": ("%m/%d/%Y", "%m/%d/%y", "%m-%d-%Y"),
    "day_first": ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y"),
}
_TIME_OF_DAY = ("%I:%M:%S %p", "%I:%M %p", "%H:%M:%S", "%H:%M", "%H%M%S", "%H%M")
_ISO_DATE = ("%Y-%m-%d", "%Y/%m/%d")
_SLASHED = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})\b")
# "close_without_cleared_time": how a call closes when the export has no cleared time.
CLOSE_AT_LAST_TIME = "last_time"


class MappingError(ValueError):
    """The mapping, or the file's header, cannot be used: nothing in the file can be read."""


def _columns(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str) and value.strip():
        return (value.strip(),)
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(v.strip() for v in value)
    raise MappingError(f"{where} must be a column name or a list of column names")


@dataclass(frozen=True)
class Combined:
    """A time read from a date column and a time-of-day column (each may fall back)."""

    date: tuple[str, ...]
    time: tuple[str, ...]


TimeSource = tuple[str, ...] | Combined


def _time_source(value: Any, where: str) -> TimeSource:
    if isinstance(value, MappingType):
        if set(value) != {"date", "time"}:
            raise MappingError(f'{where} must be a column, or {{"date": column, "time": column}}')
        return Combined(
            _columns(value["date"], f"{where}.date"), _columns(value["time"], f"{where}.time")
        )
    return _columns(value, where)


def _label(source: TimeSource) -> str:
    if isinstance(source, Combined):
        return f"{'/'.join(source.date)} + {'/'.join(source.time)}"
    return "/".join(source)


def _values(data: Any) -> dict[str, dict[str, Any]]:
    """The "values" maps: export value → priority rank (1-9), or → Porchlight status."""
    if not isinstance(data, MappingType):
        raise MappingError('"values" must be an object like {"priority": {...}, "status": {...}}')
    bad = set(data) - {"priority", "status"}
    if bad:
        raise MappingError(
            f'unknown maps in "values": {", ".join(sorted(bad))} (known: priority, status)'
        )
    out: dict[str, dict[str, Any]] = {}
    for name, table in data.items():
        if not isinstance(table, MappingType):
            raise MappingError(f'"values.{name}" must be an object of export value: mapped value')
        for key, value in table.items():
            if name == "priority" and not (
                isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 9
            ):
                raise MappingError(
                    f'"values.priority" maps {key!r} to {value!r}; use a rank from 1 (most urgent) to 9'
                )
            if name == "status" and value not in STATUSES:
                raise MappingError(
                    f'"values.status" maps {key!r} to {value!r}; use one of: {", ".join(STATUSES)}'
                )
        # Looked up without regard to case or surrounding spaces.
        out[name] = {str(k).strip().upper(): v for k, v in table.items()}
    return out


@dataclass(frozen=True)
class Mapping:
    name: str
    columns: dict[str, tuple[str, ...]]
    times: dict[str, TimeSource]
    time_formats: tuple[str, ...] = ()
    time_zone: str | None = None  # None: the agency's zone
    epsg: int = WGS84  # the coordinate system of x/y
    cancelled_dispositions: frozenset[str] = frozenset()
    extra: dict[str, tuple[str, ...]] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    date_order: str | None = None
    close_without_cleared_time: str | None = None
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
            "values",
            "date_order",
            "close_without_cleared_time",
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
        times = {k: _time_source(raw_times[k], f"times.{k}") for k in TIMES if k in raw_times}
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
        values = _values(data.get("values", {}))
        date_order = data.get("date_order")
        if date_order is not None and date_order not in DATE_ORDERS:
            raise MappingError(
                f'"date_order" must be one of: {", ".join(DATE_ORDERS)} (for dates like 03/04/2023)'
            )
        closing = data.get("close_without_cleared_time")
        if closing is not None and closing != CLOSE_AT_LAST_TIME:
            raise MappingError(
                f'"close_without_cleared_time" can only be "{CLOSE_AT_LAST_TIME}": closed at '
                "the last time the row gives, marked cleared time unknown"
            )
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
            values=values,
            date_order=date_order,
            close_without_cleared_time=closing,
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
        self.times: dict[str, TimeSource] = {}
        for status, source in mapping.times.items():
            if isinstance(source, Combined):
                day, clock = resolve(source.date), resolve(source.time)
                if day and not clock:
                    # A date alone would store midnight for every call: refuse the mapping.
                    raise MappingError(
                        f"the header has the date column of times.{status} but not its time "
                        f"column ({' or '.join(source.time)})"
                    )
                if day:
                    self.times[status] = Combined(day, clock)
            elif found := resolve(source):
                self.times[status] = found
        self.extra = {k: found for k, cols in mapping.extra.items() if (found := resolve(cols))}
        if "incident_number" not in self.columns:
            wanted = " or ".join(mapping.columns["incident_number"])
            raise MappingError(
                f"the header has no incident number column ({wanted}) for the {mapping.name} preset"
            )
        if not self.times:
            wanted = ", ".join(_label(source) for source in mapping.times.values())
            raise MappingError(
                f"the header has none of the time columns ({wanted}) for the {mapping.name} preset"
            )
        self.header_size = len(header)
        order = DATE_ORDERS.get(mapping.date_order or "", ())
        self._formats = list(mapping.time_formats) + [
            f"{d} {t}" for d in order for t in _TIME_OF_DAY
        ]
        self._date_formats = list(order) + list(_ISO_DATE)
        self._clock_formats = list(_TIME_OF_DAY)
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

    @staticmethod
    def _first(text: str, formats: list[str], parse: Any) -> Any:
        for i, fmt in enumerate(formats):
            try:
                value = parse(text, fmt)
            except ValueError:
                continue
            if i:  # exports use one format throughout: try the one that worked first
                formats.insert(0, formats.pop(i))
            return value
        return None

    def parse_time(self, text: str) -> datetime | None:
        try:
            at: datetime | None = datetime.fromisoformat(text)
        except ValueError:
            at = self._first(text, self._formats, datetime.strptime)
        if at is None:
            return None
        return at if at.tzinfo is not None else at.replace(tzinfo=self.zone)

    def _parse_date(self, text: str) -> date | None:
        # A date column often carries a midnight time ("10/31/2016 12:00:00 AM"): its date only.
        at = self.parse_time(text)
        if at is not None:
            return at.date()
        head = text.split()[0] if text.split() else text
        found = self._first(head, self._date_formats, lambda t, f: datetime.strptime(t, f).date())
        return found if isinstance(found, date) else None

    def _parse_clock(self, text: str) -> time | None:
        # A time column may carry a date of its own (1899-12-30 from spreadsheets): its time only.
        found = self._first(text, self._clock_formats, lambda t, f: datetime.strptime(t, f).time())
        if isinstance(found, time):
            return found
        try:
            return datetime.fromisoformat(text).time()
        except ValueError:
            pass
        parts = text.split()
        if len(parts) > 1:
            return self._parse_clock(" ".join(parts[1:]))
        return None

    def _unreadable(self, column: str, text: str) -> tuple[str, str]:
        """Why a time did not parse: ambiguous day and month, or just not a known format."""
        m = _SLASHED.match(text)
        if m and not self.mapping.time_formats and self.mapping.date_order is None:
            first, second = int(m.group(1)), int(m.group(2))
            if first <= 12 and second <= 12 and first != second:
                code = "import_ambiguous_time"
                return code, reasons.text(code, column=column, value=text)
        code = "import_bad_time"
        return code, reasons.text(code, column=column, value=text)

    def read_time(
        self, row: dict[str, Any], source: TimeSource
    ) -> tuple[str, Any, tuple[str, str] | None]:
        """(the text read, the time or None, (code, reason) when it cannot be used)."""
        if isinstance(source, Combined):
            day_text, clock_text = self._get(row, source.date), self._get(row, source.time)
            text = f"{day_text} {clock_text}".strip()
            if not day_text:
                return (
                    text,
                    None,
                    None if not clock_text else self._unreadable("/".join(source.date), ""),
                )
            day = self._parse_date(day_text)
            if day is None:
                return text, None, self._unreadable("/".join(source.date), day_text)
            if not clock_text:
                return text, None, self._unreadable("/".join(source.time), "")
            clock = self._parse_clock(clock_text)
            if clock is None:
                return text, None, self._unreadable("/".join(source.time), clock_text)
            at = datetime.combine(day, clock.replace(tzinfo=None), tzinfo=self.zone)
            return text, at, None
        text = self._get(row, source)
        if not text:
            return "", None, None
        parsed = self.parse_time(text)
        if parsed is None:
            return text, None, self._unreadable("/".join(source), text)
        return text, parsed, None

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
        events, notes, _ = self.convert_coded(row)
        return events, notes

    def convert_coded(
        self, row: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], list[str], list[str]]:
        """The CAD events for one row, what was wrong with it (empty when nothing was), and
        the reason code of each note (calls/reasons.py, or a short code of this module)."""
        notes: list[str] = []
        codes: list[str] = []

        def note(code: str, text: str) -> None:
            notes.append(text)
            codes.append(code)

        if None in row:
            note(
                "import_row_too_long",
                f"the row has more fields than the header ({self.header_size})",
            )
        elif any(v is None for v in row.values()):
            note(
                "import_row_too_short",
                f"the row has fewer fields than the header ({self.header_size})",
            )
        cols = self.columns
        incident = self._get(row, cols["incident_number"])
        if not incident:
            note(
                "import_no_incident",
                f"{'/'.join(cols['incident_number'])} (the incident number) is empty",
            )
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
        if "priority" in base and "priority" in self.mapping.values:
            # The codes the mapping ranks are stored as it names them (upper case).
            base["priority"] = base["priority"].upper()
        before = len(notes)
        location = self._location(row, notes)
        codes.extend(["import_bad_coordinates"] * (len(notes) - before))
        if location:
            base["location"] = location
        if self.extra:
            extra = {k: v for k, c in self.extra.items() if (v := self._get(row, c))}
            if extra:
                base["export"] = extra  # kept in the event payload, for analysis and the simulator

        events: list[dict[str, Any]] = []
        latest: datetime | None = None
        window = plausible_window()
        for status, source in self.times.items():
            text, at, problem = self.read_time(row, source)
            if not text and problem is None:
                continue
            if problem is not None:
                note(*problem)
            elif (
                at is not None
                and not window[0] <= at <= window[1]
                and (bad := implausible(at, _label(source))) is not None
            ):
                # Passed on all the same: intake rejects it with the same window and reason.
                note(*bad)
            elif at is not None and (latest is None or at > latest):
                latest = at
            events.append(
                {
                    **base,
                    "event_id": f"{incident}:{status}",
                    "status": status,
                    "event_time": at.isoformat() if at is not None else text,
                }
            )
        if not events:
            note("import_no_time", reasons.text("import_no_time"))
            # Passed on so intake quarantines the row with its reason: nothing is dropped unseen.
            events.append(
                {**base, "event_id": f"{incident}:received", "status": "received", "event_time": ""}
            )

        # The export's own status word, through the mapping's "values.status".
        final: str | None = None
        if "status" in cols and (word := self._get(row, cols["status"])):
            mapped = self.mapping.values.get("status", {}).get(word.upper())
            if mapped is None:
                note(
                    "import_unmapped_value",
                    reasons.text(
                        "import_unmapped_value",
                        column="/".join(cols["status"]),
                        value=word,
                        map="status",
                    ),
                )
            elif mapped in ("cleared", "cancelled"):
                final = mapped
        disposition = self._get(row, cols["disposition"]) if "disposition" in cols else ""
        if disposition and disposition.upper() in self.mapping.cancelled_dispositions:
            final = "cancelled"
        last = events[-1]
        if disposition:
            last["disposition"] = disposition
        if last["status"] == "cleared":
            if final == "cancelled":
                last["status"] = "cancelled"
                last["event_id"] = f"{incident}:cancelled"
        elif latest is not None and (
            final is not None or self.mapping.close_without_cleared_time == CLOSE_AT_LAST_TIME
        ):
            # No cleared time, but the call is over: closed at the last time the row gives,
            # marked so that dashboards leave it out of durations.
            if final is None and (
                "status" in cols and self._get(row, cols["status"]) and final is None
            ):
                pass  # the export says the call is still open: leave it so
            else:
                closing = final or "cleared"
                events.append(
                    {
                        **base,
                        "event_id": f"{incident}:{closing}",
                        "status": closing,
                        "event_time": latest.isoformat(),
                        "cleared_time_unknown": True,
                        **({"disposition": disposition} if disposition else {}),
                    }
                )
        return events, notes, codes
