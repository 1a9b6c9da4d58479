"""Alert fan-out benchmark: an urgent alert to a beat holding 50,000 residents' places.

    python bench/fanout.py            # 50,000 residents, SQLite and PostgreSQL
    python bench/fanout.py --quick    # 5,000 residents, well under a minute

For each engine, against a fresh migrated database:
- builds the residents (users, Resident, one Place each inside the beat, an instant
  preference by email, the email Contact encrypted as every contact is), in bulk;
- publishes an urgent alert to the beat and times publish() plus fanout.fan_out() until
  every resident's outbox row exists (target: under 10 s at 50,000, in bulk, not one
  transaction per resident);
- runs the real worker (`notify.worker.Worker`, 16 send threads) over those rows through the
  development inbox channel (a real channel that stores what it sends) for a fixed time and
  reports the send rate, beside the time the same rows would take at the senders' limits
  (SMS numbers pace themselves: a 10DLC number 1/s, toll-free 3/s, a short code 100/s).

The run ends with ONE JSON line. It never asserts a figure: targets are printed beside the
results. PostgreSQL is `--pg-url` (default postgres://postgres@127.0.0.1:5432/porchlight_bench_fanout);
only a database whose name starts with "porchlight_bench" is dropped and created.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from intake import prepare_postgres  # noqa: E402  (bench/intake.py: drop and create the bench db)

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/porchlight_bench_fanout"
TARGETS = {"fan_out_seconds_at_50000": 10.0}
# The demo city's centre; the beat is a 6 × 6 mile square around it.
LAT, LON = 35.3733, -119.0187


def log(*parts: Any) -> None:
    print(*parts, file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="5,000 residents instead of 50,000")
    parser.add_argument("--residents", type=int, default=None)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--send-seconds", type=float, default=None)
    parser.add_argument(
        "--profile", action="store_true",
        help="after the timed fan-out, profile a second one (cProfile, to stderr)",
    )  # fmt: skip
    parser.add_argument(
        "--child", nargs=3, metavar=("ENGINE", "URL", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    residents = args.residents or (5_000 if args.quick else 50_000)
    send_seconds = args.send_seconds or (3.0 if args.quick else 15.0)
    if args.child:
        engine, url, out = args.child
        if args.profile:
            os.environ["BENCH_FANOUT_PROFILE"] = "1"
        Path(out).write_text(json.dumps(run_engine(engine, url, residents, send_seconds)))
        return

    started = time.perf_counter()
    result: dict[str, Any] = {
        "bench": "fanout",
        "quick": args.quick,
        "residents": residents,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "command": " ".join(["python", "bench/fanout.py", *sys.argv[1:]]),
        "targets": TARGETS,
    }
    for engine in args.engines.split(","):
        url = ""
        if engine == "postgres":
            url, reason = prepare_postgres(args.pg_url)
            if reason:
                log(f"postgres skipped: {reason}")
                result[engine] = {"skipped": reason}
                continue
        elif engine != "sqlite":
            parser.error(f"unknown engine {engine}")
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            cmd = [sys.executable, __file__, "--child", engine, url, out.name,
                   "--residents", str(residents), "--send-seconds", str(send_seconds),
                   *(["--profile"] if args.profile else [])]  # fmt: skip
            log(f"== {engine}")
            code = subprocess.call(cmd, cwd=ROOT)
            text = Path(out.name).read_text()
            result[engine] = (
                json.loads(text) if code == 0 and text else {"failed": f"child exited {code}"}
            )
    result["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, separators=(",", ":")))


def run_engine(engine: str, url: str, residents: int, send_seconds: float) -> dict[str, Any]:
    var = Path(tempfile.mkdtemp(prefix=f"bench-fanout-{engine}-"))
    if not url:
        url = f"sqlite:///{var / 'bench.sqlite3'}"
    os.environ.update({
        "DATABASE_URL": url,
        "PORCHLIGHT_VAR_DIR": str(var),
        "PORCHLIGHT_SECRET_KEY": "bench-secret-key-not-for-production-0123456789",
        "PORCHLIGHT_PII_KEY": "bench-pii-key-not-for-production-0123456789",
        "DJANGO_SETTINGS_MODULE": "porchlight.settings",
        "LOG_LEVEL": "WARNING",
    })  # fmt: skip
    import django

    django.setup()
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    log(f"migrated in {time.perf_counter() - t:.1f} s")
    out: dict[str, Any] = {"database": engine}
    agency, beat = build(residents, out)
    out.update(fan_out(agency, beat, residents))
    out.update(send(send_seconds, out["outbox_rows"]))
    return out


def build(residents: int, out: dict[str, Any]) -> tuple[Any, Any]:
    """The agency, the beat and the residents, in bulk (setup: not what is measured)."""
    import random

    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from porchlight.alerts import beats, shapes
    from porchlight.alerts.models import Beat, Mode, Preference, ResidentContact
    from porchlight.community.models import Place, Resident
    from porchlight.geo import h3index
    from porchlight.notify import pii
    from porchlight.notify.models import Contact
    from standins.builders import make_agency

    t = time.perf_counter()
    agency = make_agency()
    square = shapes.circle(LAT, LON, 3).envelope  # 6 × 6 miles
    beats.import_geojson(agency, json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"beat": "B1", "name": "Downtown"},
         "geometry": shapes.to_geojson(square)}]}).encode())  # fmt: skip
    beat = Beat.objects.get(agency=agency, code="B1")
    rng = random.Random(7)
    min_lon, min_lat, max_lon, max_lat = square.bounds
    now = timezone.now()
    User = get_user_model()
    batch = 5_000
    for start in range(0, residents, batch):
        n = min(batch, residents - start)
        with transaction.atomic():
            users = User.objects.bulk_create([
                User(username=f"r{start + i}@bench.example", email=f"r{start + i}@bench.example",
                     password="!")
                for i in range(n)
            ])  # fmt: skip
            people = Resident.objects.bulk_create(
                [Resident(user=user, agency=agency, created=now) for user in users]
            )
            places = []
            for person in people:
                lat = rng.uniform(min_lat, max_lat)
                lon = rng.uniform(min_lon, max_lon)
                places.append(Place(resident=person, agency=agency, name="Home", lat=lat, lon=lon,
                                    h3=h3index.cell(lat, lon), radius_miles=0.5, created=now))  # fmt: skip
            places = Place.objects.bulk_create(places)
            Preference.objects.bulk_create(
                [Preference(place=p, mode=Mode.INSTANT, email=True, updated=now) for p in places]
            )
            contacts = Contact.objects.bulk_create([
                Contact(agency=agency, channel="email", address_hash=pii.lookup_hash(u.email),
                        address_enc=pii.encrypt(u.email), created=now)
                for u in users
            ])  # fmt: skip
            ResidentContact.objects.bulk_create([
                ResidentContact(resident=p, contact=c, channel="email", created=now)
                for p, c in zip(people, contacts, strict=True)
            ])  # fmt: skip
    out["setup_seconds"] = round(time.perf_counter() - t, 1)
    log(f"{residents} residents built in {out['setup_seconds']} s")
    return agency, beat


def fan_out(agency: Any, beat: Any, residents: int) -> dict[str, Any]:
    from django.urls import reverse

    from porchlight.alerts import fanout, publish
    from porchlight.alerts.models import Severity
    from porchlight.notify.models import Outbox

    # A web process has its URLs loaded long before anyone publishes: load them here too, so
    # the first reverse() (the alert's link) does not count the import of every app's views.
    reverse("alerts:list", args=["x"])
    t = time.perf_counter()
    alert = publish.publish(agency, publish.beats_area([beat]), title="Shelter in place",
                            body="Police activity downtown. Stay indoors until further notice.",
                            severity=Severity.URGENT)  # fmt: skip
    written = fanout.fan_out(alert)
    seconds = time.perf_counter() - t
    exist = Outbox.objects.filter(trigger="alert.urgent").count()
    log(f"fan-out: {written} outbox rows in {seconds:.2f} s ({exist} exist)")
    if os.environ.get("BENCH_FANOUT_PROFILE"):
        # Not timed: a second alert to the same beat, under cProfile, for where the time goes.
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        second = publish.publish(agency, publish.beats_area([beat]), title="Second",
                                 body="Profiled.", severity=Severity.URGENT)  # fmt: skip
        profiler.enable()
        fanout.fan_out(second)
        profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(18)
        log(text.getvalue())
    return {
        "outbox_rows": exist,
        "every_row_exists": exist == residents,
        "fan_out_seconds": round(seconds, 2),
        "rows_per_second": round(written / seconds) if seconds else None,
    }


def send(seconds: float, rows: int) -> dict[str, Any]:
    """The real worker over the planned rows through the development inbox, for `seconds`."""
    from porchlight.notify.channels.dev import DevInbox
    from porchlight.notify.models import Outbox, Sender
    from porchlight.notify.worker import Worker

    worker = Worker({"email": DevInbox("email")}, name="bench", threads=16, batch=256)
    stop = threading.Event()
    thread = threading.Thread(target=worker.loop, args=(stop,), kwargs={"idle": 0.05})
    t = time.perf_counter()
    thread.start()
    time.sleep(seconds)
    stop.set()
    thread.join()
    elapsed = time.perf_counter() - t
    sent = Outbox.objects.filter(state__in=["sent", "delivered"]).count()
    rate = sent / elapsed
    limits = {profile: Sender(profile=profile).rate for profile in
              ("long_code", "toll_free", "short_code")}  # fmt: skip
    log(f"worker: {sent} sent in {elapsed:.1f} s = {rate:.0f}/s")
    return {
        "sent": sent,
        "send_seconds": round(elapsed, 1),
        "sends_per_second": round(rate),
        "minutes_to_send_all_at_this_rate": round(rows / rate / 60, 1) if rate else None,
        "sms_limits_per_second": limits,
        "minutes_by_sms_at_limit": {
            profile: round(rows / rate_limit / 60, 1) for profile, rate_limit in limits.items()
        },
    }


if __name__ == "__main__":
    main()
