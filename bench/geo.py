"""Geo and media benchmark: address import, geocoding, radius queries, photo uploads.

    python bench/geo.py            # full run, a minute or two
    python bench/geo.py --quick    # well under a minute

On a fresh SQLite database (or DATABASE_URL, e.g. PostgreSQL), with the demo city's generated
address table (porchlight.demo.addresses, ~40,000 rows with --scale 2):
- import: rows per second through `porchlight geo import`'s loader from an OpenAddresses-style
  CSV written from that table (parsing, normalizing, H3, batched inserts);
- geocode: typed addresses per second (the simulator's "<number> <street>", loosely typed:
  lower case, long suffixes), and the share found;
- radius: places per second asking "which addresses lie within R miles", two ways: the H3
  prefilter (`h3__in=cells_within()`, indexed) then the exact distance, against a baseline of
  a lat/lon box (`bounding_box()`, no index) then the same exact check; both must return the
  same rows (checked);
- photos: 12-megapixel phone JPEGs with EXIF GPS through accept_image() per second (decode,
  rotate, resize to 2560, re-encode).
Targets are printed beside the results, never asserted. ONE JSON line ends the output.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGETS = {"geocode_per_s": 200, "radius_1mi_per_s": 100, "photos_per_s": 1}


def log(*parts: Any) -> None:
    print(*parts, file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--miles", type=float, default=1.0)
    args = parser.parse_args()
    n_geocode = 300 if args.quick else 2000
    n_radius = 50 if args.quick else 300
    n_photos = 3 if args.quick else 10

    var = Path(tempfile.mkdtemp(prefix="bench-geo-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{var / 'bench.sqlite3'}")
    os.environ.update(
        {
            "PORCHLIGHT_VAR_DIR": str(var),
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "porchlight.settings_test",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0)

    from porchlight.calls.simulator import DISTRICTS
    from porchlight.demo import addresses as demo_addresses
    from porchlight.demo.agency import make_agency
    from porchlight.geo import h3index, importer
    from porchlight.geo.geocode import geocode
    from porchlight.geo.models import Address
    from porchlight.media.uploads import accept_image
    from standins.media import jpeg_with_gps, upload

    agency = make_agency()
    rng = random.Random(9)

    # --- import ---
    rows = list(demo_addresses.rows(agency))
    path = var / "addresses.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["LON", "LAT", "NUMBER", "STREET", "UNIT", "CITY", "REGION", "POSTCODE"])
        for a in rows:
            street = a.label.split(" ", 1)[1]
            w.writerow([a.lon, a.lat, a.number, street, "", a.city, a.state, a.postcode])
    t = time.perf_counter()
    result = importer.load(agency, [path], progress=False)
    import_s = time.perf_counter() - t
    log(f"import: {result.added} rows in {import_s:.1f} s")

    # --- geocode ---
    long = {"Ave": "avenue", "St": "street", "Rd": "road", "Dr": "drive", "Ln": "lane"}
    typed = []
    for _ in range(n_geocode):
        spec = rng.choice(list(DISTRICTS.values()))
        street = rng.choice(spec["streets"])
        words = street.split()
        words[-1] = long.get(words[-1], words[-1])
        typed.append(
            f"{rng.randrange(1, 59) * 100 + rng.randrange(0, 99)} {' '.join(words)}".lower()
        )
    t = time.perf_counter()
    found = sum(1 for text in typed if geocode(agency, text) is not None)
    geocode_s = time.perf_counter() - t

    # --- radius ---
    places = [(a.lat, a.lon) for a in rng.sample(rows, n_radius)]
    t = time.perf_counter()
    h3_rows = []
    for lat, lon in places:
        cells = h3index.cells_within(lat, lon, args.miles)
        near = Address.objects.filter(agency=agency, h3__in=cells).values_list("id", "lat", "lon")
        h3_rows.append(
            {i for i, la, lo in near if h3index.miles_between(lat, lon, la, lo) <= args.miles}
        )
    h3_s = time.perf_counter() - t
    t = time.perf_counter()
    box_rows = []
    for lat, lon in places:
        lat0, lat1, lon0, lon1 = h3index.bounding_box(lat, lon, args.miles)
        near = Address.objects.filter(
            agency=agency, lat__range=(lat0, lat1), lon__range=(lon0, lon1)
        ).values_list("id", "lat", "lon")
        box_rows.append(
            {i for i, la, lo in near if h3index.miles_between(lat, lon, la, lo) <= args.miles}
        )
    box_s = time.perf_counter() - t
    assert h3_rows == box_rows, "the H3 prefilter missed rows the box found"
    mean_hits = sum(map(len, h3_rows)) / len(h3_rows)

    # --- photos ---
    photo = jpeg_with_gps((4032, 3024))
    t = time.perf_counter()
    for i in range(n_photos):
        accept_image(upload(f"IMG_{i}.JPG", photo))
    photos_s = time.perf_counter() - t

    from django.db import connection

    out = {
        "bench": "geo",
        "quick": args.quick,
        "database": connection.vendor,
        "python": platform.python_version(),
        "addresses": result.added,
        "import_rows_per_s": round(result.added / import_s),
        "geocode_per_s": round(n_geocode / geocode_s, 1),
        "geocode_found_share": round(found / n_geocode, 3),
        "radius_miles": args.miles,
        "radius_mean_rows": round(mean_hits, 1),
        "radius_h3_per_s": round(n_radius / h3_s, 1),
        "radius_box_baseline_per_s": round(n_radius / box_s, 1),
        "radius_h3_vs_box": round(box_s / h3_s, 2),
        "photo_12mp_per_s": round(n_photos / photos_s, 2),
        "photo_bytes": len(photo),
        "targets": TARGETS,
    }
    log(
        f"geocode {out['geocode_per_s']}/s (found {out['geocode_found_share']:.0%}), target {TARGETS['geocode_per_s']}"
    )
    log(
        f"radius {args.miles} mi: h3 {out['radius_h3_per_s']}/s, box {out['radius_box_baseline_per_s']}/s"
    )
    log(f"photos {out['photo_12mp_per_s']}/s, target {TARGETS['photos_per_s']}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
