"""Loading an address table from CSV or OpenAddresses files (`porchlight geo import`).

Accepted files, plain or gzipped (.gz):
  - CSV with a header row. Columns are found by name, case-insensitive: number (NUMBER,
    house_number, addr:housenumber), street (STREET, street_name, addr:street), unit, city,
    state (REGION), postcode (ZIP, POSTCODE), lat (LAT, latitude, y), lon (LON, lng,
    longitude, x). This reads OpenAddresses' CSV as it is.
  - OpenAddresses GeoJSON lines (.geojson, .geojsonl, .ndjson): one Feature per line with a
    Point geometry and properties number, street, unit, city, region, postcode.

Rows are inserted in batches with bulk_create (one transaction per batch, so a huge file never
holds one long write lock). A row already in the table (same number, street and unit) is
skipped, so importing a file again, or an updated release, adds only what is new; `replace`
empties the agency's table first.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from tqdm import tqdm
from tqdm.utils import CallbackIOWrapper

from porchlight.agencies.models import Agency
from porchlight.geo.addresses import build
from porchlight.geo.models import Address

BATCH = 5000
COLUMNS = {
    "number": ("number", "house_number", "housenumber", "addr:housenumber", "address_number"),
    "street": ("street", "street_name", "streetname", "addr:street", "street_full"),
    "unit": ("unit", "apt", "addr:unit", "suite"),
    "city": ("city", "addr:city", "place", "municipality"),
    "state": ("state", "region", "addr:state", "province"),
    "postcode": ("postcode", "zip", "zipcode", "zip_code", "postal_code", "addr:postcode"),
    "lat": ("lat", "latitude", "y"),
    "lon": ("lon", "lng", "long", "longitude", "x"),
}
REQUIRED = ("number", "street", "lat", "lon")


class ImportError_(ValueError):
    """A file the importer cannot read at all (no header it recognizes, not JSON)."""


@dataclass
class Result:
    added: int = 0
    already: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # reason → rows

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


def _open_binary(path: Path) -> IO[bytes]:
    # Unbuffered: the progress bar counts read() calls, and a buffered reader would use read1().
    return open(path, "rb", buffering=0)  # noqa: SIM115 - the caller closes it


def _text(raw: IO[bytes], path: Path) -> IO[str]:
    stream: Any = gzip.GzipFile(fileobj=raw) if path.suffix == ".gz" else raw
    # utf-8-sig: spreadsheets save CSV with a byte-order mark that would hide the first column.
    return io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")


def _kind(path: Path) -> str:
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".geojson", ".geojsonl", ".ndjson", ".jsonl")):
        return "geojson"
    return "csv"


def _csv_rows(text: IO[str]) -> Iterator[dict[str, Any]]:
    reader = csv.DictReader(text)
    header = {(h or "").strip().lower(): h for h in reader.fieldnames or []}
    mapping: dict[str, str] = {}
    for key, names in COLUMNS.items():
        for n in names:
            if n in header:
                mapping[key] = header[n]
                break
    missing = [k for k in REQUIRED if k not in mapping]
    if missing:
        raise ImportError_(
            f"no column for {', '.join(missing)} in the header "
            f"({', '.join(reader.fieldnames or [])})"
        )
    for row in reader:
        yield {key: (row.get(col) or "").strip() for key, col in mapping.items()}


def _geojson_rows(text: IO[str]) -> Iterator[dict[str, Any]]:
    for line in text:
        line = line.strip().rstrip(",")
        if not line or line in ("[", "]") or line.startswith('{"type":"FeatureCollection"'):
            continue
        try:
            feature = json.loads(line)
            lon, lat = feature["geometry"]["coordinates"][:2]
            props = feature.get("properties") or {}
        except (ValueError, KeyError, TypeError):
            yield {"bad": "not a GeoJSON point feature"}
            continue
        yield {
            "number": str(props.get("number") or ""),
            "street": str(props.get("street") or ""),
            "unit": str(props.get("unit") or ""),
            "city": str(props.get("city") or ""),
            "state": str(props.get("region") or props.get("state") or ""),
            "postcode": str(props.get("postcode") or ""),
            "lat": lat,
            "lon": lon,
        }


def _addresses(agency: Agency, rows: Iterable[dict[str, Any]], result: Result) -> Iterator[Address]:
    for row in rows:
        if "bad" in row:
            result.skipped[row["bad"]] += 1
            continue
        try:
            lat, lon = float(row["lat"]), float(row["lon"])
        except (TypeError, ValueError):
            result.skipped["no coordinates"] += 1
            continue
        address = build(
            agency,
            number=row.get("number", ""),
            street=row.get("street", ""),
            lat=lat,
            lon=lon,
            unit=row.get("unit", ""),
            city=row.get("city", ""),
            state=row.get("state", ""),
            postcode=row.get("postcode", ""),
        )
        if address is None:
            result.skipped["no number, street or usable point"] += 1
            continue
        yield address


def _flush(batch: list[Address]) -> None:
    with transaction.atomic():
        Address.objects.bulk_create(batch, batch_size=1000)


def load(
    agency: Agency,
    paths: Iterable[Path],
    *,
    replace: bool = False,
    batch: int = BATCH,
    progress: bool | None = None,
) -> Result:
    """Import the files into the agency's address table. `progress`: a tqdm bar on stderr
    (None: only when stderr is a terminal)."""
    result = Result()
    if replace:
        with transaction.atomic():
            Address.objects.filter(agency=agency).delete()
    seen: set[tuple[str, str, str]] = set(
        Address.objects.filter(agency=agency).values_list("number", "street", "unit")
    )
    pending: list[Address] = []
    for path in paths:
        size = os.path.getsize(path)
        with (
            _open_binary(path) as raw,
            tqdm(
                total=size,
                unit="B",
                unit_scale=True,
                desc=path.name,
                disable=(not progress) if progress is not None else None,
            ) as bar,
        ):
            counted: Any = CallbackIOWrapper(bar.update, raw, "read")
            with _text(counted, path) as text:
                rows = _geojson_rows(text) if _kind(path) == "geojson" else _csv_rows(text)
                for address in _addresses(agency, rows, result):
                    key = (address.number, address.street, address.unit)
                    if key in seen:
                        result.already += 1
                        continue
                    seen.add(key)
                    pending.append(address)
                    if len(pending) >= batch:
                        _flush(pending)
                        result.added += len(pending)
                        pending = []
    if pending:
        _flush(pending)
        result.added += len(pending)
    return result
