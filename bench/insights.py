"""Dashboards benchmark: millions of calls, the rollups built from them, and each dashboard's
server time, cold and warm, beside a plain COUNT(*) GROUP BY beat on the same calls table.

    python bench/insights.py            # 5,000,000 calls over two years; many minutes
    python bench/insights.py --quick    # 50,000 calls; about a minute

On PostgreSQL (`--pg-url`, default $BENCH_PG_URL or
postgres://postgres@127.0.0.1:5432/porchlight_bench_insights; dropped and created fresh, so
its name must contain "bench"), migrated, with one agency: 24 beats in 6 districts, 4
priority codes, 20 call types. Calls are spread over the two years up to now with a daily
rhythm, loaded in bulk with COPY into calls_call (not through intake: bench/intake.py measures
that path), with times for each interval, a few without a dispatch, scene or clear time, and
one in twenty with a delay notice (an outbox row, also by COPY). Then ANALYZE, then the
rollups are built the way `porchlight insights rebuild` does, and timed.

Each dashboard is its view function called with a staff request (the URL's work without the
HTTP server and middleware), for the default range (the last 30 days) and for the last year:
- cold: the first request on a new database connection (a fresh PostgreSQL backend and empty
  plan cache; the OS page cache and PostgreSQL's shared buffers are not dropped, which needs
  root and a restart), in a process already warmed on an empty range (templates compiled);
- warm: the median of the next five.
The baseline, `SELECT beat, COUNT(*) FROM calls_call GROUP BY beat`, is timed the same way,
and so is a "rows behind a figure" page (one beat, 30 days). Targets are printed beside the
results, never asserted. ONE JSON line ends the output.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/porchlight_bench_insights"
TARGETS = {"dashboard_ms": 500, "percentile_tiles_ms": 1000}
DAYS = 730
BEATS = [f"B{n:02d}" for n in range(1, 25)]
PRIORITIES = ["1", "2", "3", "4"]
TYPES = [f"T{n:02d}" for n in range(1, 21)]
# Calls per hour of the day, relative: quiet at 4 am, busy late afternoon.
RHYTHM = [3, 2, 2, 1, 1, 1, 2, 3, 4, 5, 5, 6, 6, 6, 6, 7, 7, 8, 8, 7, 6, 5, 4, 3]


def log(*parts: Any) -> None:
    print(*parts, file=sys.stderr, flush=True)


def district_of(beat: str) -> str:
    return f"D{(int(beat[1:]) - 1) // 4 + 1}"


def load(n: int, rng: random.Random) -> dict[str, Any]:
    from django.db import connection

    from porchlight.agencies.models import Agency, PriorityCode
    from porchlight.calls.models import CallType
    from porchlight.demo.agency import make_agency
    from porchlight.notify.models import Channel, Contact

    agency: Agency = make_agency()
    prios = [
        PriorityCode.objects.update_or_create(agency=agency, code=c, defaults={"rank": int(c)})[
            0
        ].pk
        for c in PRIORITIES
    ]
    types = [CallType.objects.get_or_create(agency=agency, code=c)[0].pk for c in TYPES]
    contact = Contact.objects.create(agency=agency, channel=Channel.SMS, address_hash="b" * 64)
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=DAYS)
    hours = [h for h, w in enumerate(RHYTHM) for _ in range(w)]
    started = time.perf_counter()
    notices = []
    with connection.cursor() as c:
        columns = (
            "agency_id, incident_number, call_type_id, priority_id, status, first_event_at,"
            " last_event_at, received_at, dispatched_at, onscene_at, cleared_at,"
            " cleared_time_unknown, disposition, address, beat, district, units, call_taker_id,"
            " report_number, caller_language, do_not_contact, juvenile, needs_mapping,"
            " historical, created, updated"
        )
        with c.cursor.copy(f"COPY calls_call ({columns}) FROM STDIN") as copy:
            for i in range(n):
                day = rng.randrange(DAYS)
                began = start + timedelta(
                    days=day, hours=rng.choice(hours), seconds=rng.randrange(3600)
                )
                prio = rng.choices(range(4), weights=(1, 3, 4, 2))[0]
                disp = (
                    began + timedelta(seconds=int(rng.lognormvariate(5.5 + prio * 0.6, 0.8)))
                    if rng.random() < 0.93
                    else None
                )
                scene = (
                    disp + timedelta(seconds=int(rng.lognormvariate(6.0, 0.6)))
                    if disp and rng.random() < 0.85
                    else None
                )
                cleared = (
                    began + timedelta(seconds=int(rng.lognormvariate(8.0, 0.7)))
                    if rng.random() < 0.96
                    else None
                )
                beat = rng.choice(BEATS)
                last = max(t for t in (began, disp, scene, cleared) if t is not None)
                copy.write_row((
                    agency.pk, f"B{i:09d}", rng.choice(types), prios[prio],
                    "cleared" if cleared else ("dispatched" if disp else "received"),
                    began, last, began, disp, scene, cleared, cleared is not None and rng.random() < 0.02,
                    "", "", beat, district_of(beat), "[]", "", "", "en", False, False, False,
                    True, began, last,
                ))  # fmt: skip
                if rng.random() < 0.05:
                    notices.append(began)
        c.execute("SELECT id, first_event_at FROM calls_call WHERE agency_id = %s", [agency.pk])
        ids = [row[0] for row in c.fetchall()]
        with c.cursor.copy(
            "COPY notify_outbox (agency_id, contact_id, channel, trigger, call_id, dedupe_key,"
            " state, priority, due_at, language, reason, subject, body, context, attempts,"
            " claimed_by, provider_id, error_code, sent_at, sent_by, sent_from, created, updated)"
            " FROM STDIN"
        ) as copy:
            for k, at in enumerate(notices):
                call_id = ids[rng.randrange(len(ids))]
                sent = at + timedelta(minutes=20)
                copy.write_row((
                    agency.pk, contact.pk, "sms", "call.delayed", call_id, f"bench:{k}:{call_id}",
                    "delivered" if k % 3 else "sent", 10, sent, "en", "", "", "", "{}", 1, "", "",
                    "", sent, "worker", "", sent, sent,
                ))  # fmt: skip
        c.execute("ANALYZE")
    return {"agency": agency, "load_s": round(time.perf_counter() - started, 1),
            "delay_notices": len(notices)}  # fmt: skip


def timed(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def cold_warm(fn: Any) -> dict[str, float]:
    from django.db import connections

    connections.close_all()  # a new PostgreSQL backend: its caches start empty
    cold = timed(fn)
    warm = statistics.median(timed(fn) for _ in range(5))
    return {"cold_ms": round(cold, 1), "warm_ms": round(warm, 1)}


def request(path: str, user: Any) -> Any:
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    req = RequestFactory().get(path)
    req.user = user
    req.session = SessionStore()
    req._messages = FallbackStorage(req)  # type: ignore[attr-defined]
    return req


def measure(agency: Any) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from porchlight.insights import views
    from standins.browser import make_staff

    user = make_staff(agency, role="readonly", username="bench").user
    today = timezone.localtime(timezone.now(), agency.tz).date()
    year = f"since={today - timedelta(days=364)}&until={today}"
    out: dict[str, Any] = {}

    def baseline() -> None:
        with connection.cursor() as c:
            c.execute("SELECT beat, COUNT(*) FROM calls_call GROUP BY beat")
            c.fetchall()

    out["baseline_count_by_beat"] = cold_warm(baseline)
    # The process is warmed first (templates compiled, catalogs loaded) on a range with no
    # data, so "cold" is the database's cold start, not Python's.
    for kind in views.DASHBOARDS:
        views.dashboard(
            request(f"/console/insights/{kind}/?since=1990-01-01&until=1990-01-02", user), kind
        )
    for kind in views.DASHBOARDS:
        for label, query in (("30d", ""), ("365d", year)):

            def page(kind: str = kind, query: str = query) -> None:
                response = views.dashboard(
                    request(f"/console/insights/{kind}/?{query}", user), kind
                )
                assert response.status_code == 200, response.status_code

            out[f"{kind}_{label}"] = cold_warm(page)
    for kind in views.DASHBOARDS:

        def rows(kind: str = kind) -> None:
            response = views.figure_rows(
                request(f"/console/insights/{kind}/rows/?beat=B07", user), kind
            )
            assert response.status_code == 200

        out[f"{kind}_rows_30d"] = cold_warm(rows)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="50,000 calls; about a minute")
    parser.add_argument("--calls", type=int, help="how many calls (default 5,000,000)")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    args = parser.parse_args()
    n = args.calls or (50_000 if args.quick else 5_000_000)
    name = urlsplit(args.pg_url).path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"refusing to drop {name!r}: the bench database's name must contain 'bench'")
    from standins import crashloop

    crashloop.fresh_database(args.pg_url)
    os.environ.update(
        {"DATABASE_URL": args.pg_url, "LOG_LEVEL": "WARNING",
         "DJANGO_SETTINGS_MODULE": "porchlight.settings_test"}
    )  # fmt: skip
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    rng = random.Random(2026)
    log(f"loading {n:,} calls by COPY …")
    loaded = load(n, rng)
    log(f"loaded in {loaded['load_s']} s; building rollups …")
    from porchlight.insights import rollups
    from porchlight.insights.models import CallRollup, MonthRollup

    agency = loaded["agency"]
    started = time.perf_counter()
    rollups.rebuild(agency)
    build_s = round(time.perf_counter() - started, 1)
    from django.db import connection

    with connection.cursor() as c:
        c.execute("ANALYZE insights_callrollup")
        c.execute("ANALYZE insights_beatrollup")
        c.execute("ANALYZE insights_monthrollup")
    rollup_rows = CallRollup.objects.count()
    month_rows = MonthRollup.objects.count()
    log(f"rollups: {rollup_rows:,} rows in {build_s} s")
    today = datetime.now(agency.tz).date()
    started = time.perf_counter()
    rollups.rebuild_days(agency, today - timedelta(days=1), today)
    refresh_ms = round((time.perf_counter() - started) * 1000, 1)
    figures = measure(agency)
    log(json.dumps(figures, indent=1))
    slowest = max(v["warm_ms"] for k, v in figures.items() if k != "baseline_count_by_beat")
    result = {
        "bench": "insights",
        "quick": args.quick,
        "command": " ".join(["python", "bench/insights.py", *sys.argv[1:]]),
        "python": platform.python_version(),
        "calls": n,
        "loaded_by": "COPY into calls_call and notify_outbox",
        "load_s": loaded["load_s"],
        "delay_notices": loaded["delay_notices"],
        "rollup_rows": rollup_rows,
        "month_rollup_rows": month_rows,
        "rollup_build_s": build_s,
        "rollup_refresh_two_days_ms": refresh_ms,
        **figures,
        "slowest_warm_ms": slowest,
        "compression": round(n / max(1, rollup_rows), 1),
        "targets": TARGETS,
        "cpus": os.cpu_count(),
        "log10_calls": round(math.log10(n), 2),
    }
    print(json.dumps(result, separators=(",", ":")))


if __name__ == "__main__":
    main()
