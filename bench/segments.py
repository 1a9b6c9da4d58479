"""What the demo's texts cost: texts per call and SMS segments per text, in each language.

    python bench/segments.py            # the demo's first 10 minutes (600 s at speed 20)
    python bench/segments.py --quick    # its first 3 minutes; well under a minute

It replays `porchlight demo --for 600` without waiting for the wall clock: a fresh SQLite
database, the demo agency and its rules (porchlight.demo.seed, without history), the CAD
simulator at the demo's speed (20 simulated minutes a real minute, events restamped to the
moment they would be posted, as `Simulator.live` does), the real intake and planning, and the
real worker sending to the development inbox once per simulated second (the demo's idle
poll). The clock is simulated (django.utils.timezone.now is replaced), so merge windows,
delays and expiries behave as they would in those 10 real minutes. Quiet hours are avoided by
starting at 14:00 local time; the simulator's seed is fixed, so two runs see the same calls.

Tracking links are counted at production length: SITE_URL is an https:// host of 30
characters, and the link is the real one (porchlight.calls.track.link_for).

The run is made twice: as configured (the agency's default merge window), and as a same-run
baseline with the merge window at 0, every update its own text.

After the last event the worker runs on for the merge window and a minute more, so an update
that was due is counted rather than cut off. Counted: the SMS rows of the run's calls that
were sent; a text's segments are gsm.analyse() of the body as sent. Printed last, ONE JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# An https:// host of 30 characters: the length the cost target is counted at.
HOST = "updates.bakersfield-police.gov"
assert len(HOST) == 30
SPEED = 20.0  # porchlight demo's default
SEED = 18
TZ = "America/Los_Angeles"


def log(*parts: Any) -> None:
    print(*parts, file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="3 demo minutes instead of 10")
    parser.add_argument("--seconds", type=float, help="demo seconds (default 600; 180 quick)")
    parser.add_argument("--speed", type=float, default=SPEED)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    seconds = args.seconds or (180.0 if args.quick else 600.0)

    started = time.perf_counter()
    var = Path(tempfile.mkdtemp(prefix="bench-segments-"))
    os.environ.update(
        {
            "PORCHLIGHT_VAR_DIR": str(var),
            "DATABASE_URL": f"sqlite:///{var / 'bench.sqlite3'}",
            "PORCHLIGHT_DEV_INBOX": "1",
            "SITE_URL": f"https://{HOST}",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "porchlight.settings",
        }
    )
    os.environ.pop("TWILIO_ACCOUNT_SID", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    figures = run(seconds, args.speed, args.seed, None)
    # The same run with updates sent one by one (merge window 0): what merging alone saves.
    # A throwaway database: the audit log's append-only triggers (which the demo's cases and
    # surveys now write to) are lifted for the flush, as the test suite does, and put back.
    from django.db import connection

    from porchlight.audit import triggers

    with connection.cursor() as cursor:
        for statement in triggers.drop_statements(connection.vendor):
            cursor.execute(statement)
    call_command("flush", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        for statement in triggers.create_statements(connection.vendor):
            cursor.execute(statement)
    unmerged = run(seconds, args.speed, args.seed, 0)
    result = {
        "bench": "segments",
        "quick": args.quick,
        "command": " ".join(["python", "bench/segments.py", *sys.argv[1:]]),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "demo_seconds": seconds,
        "speed": args.speed,
        "seed": args.seed,
        "link_host_chars": len(HOST),
        **figures,
        "baseline_no_merge": {
            k: unmerged[k] for k in ("texts", "texts_per_call", "segments_per_text", "languages")
        },
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(result, separators=(",", ":")))


class Clock:
    """The simulated wall clock that timezone.now() answers with."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def run(seconds: float, speed: float, seed: int, merge: int | None) -> dict[str, Any]:
    """One replay. `merge`: the agency's merge window in seconds (None: the default)."""
    from django.utils import timezone

    from porchlight.calls.intake import Feed, ingest
    from porchlight.calls.models import Call
    from porchlight.calls.simulator import CAD_STATUS_CODES, Simulator
    from porchlight.demo.seed import seed as seed_demo
    from porchlight.notify import gsm
    from porchlight.notify.channels import from_settings
    from porchlight.notify.models import DeliverySettings, Outbox, State
    from porchlight.notify.worker import Worker

    tz = ZoneInfo(TZ)
    start = datetime(2026, 11, 18, 14, 0, tzinfo=tz)
    clock = Clock(start)
    with mock.patch.object(timezone, "now", clock):
        demo = seed_demo(history_days=0, now=start)
        agency = demo.agency
        policy = DeliverySettings.for_agency(agency.pk)
        if merge is not None:
            policy.merge_seconds = merge
        policy.save()
        feed = Feed(agency=agency, source="cad-sim", covered={agency.ori: agency})
        sim = Simulator(
            seed=seed,
            start=start,
            time_zone=TZ,
            run_id=f"bench{seed}",
            first_incident=demo.next_incident,
            status_codes=CAD_STATUS_CODES,
            call_at_start=True,
        )
        end = start + timedelta(seconds=seconds)
        events = []
        for event in sim.stream(until=start + timedelta(seconds=seconds * speed)):
            sim_at = datetime.fromisoformat(event["event_time"])
            wall = start + (sim_at - start) / speed
            if wall >= end:
                continue
            events.append((wall, {**event, "event_time": wall.isoformat(timespec="seconds")}))
        events.sort(key=lambda pair: pair[0])

        worker = Worker(from_settings(), threads=1)
        window = float(getattr(policy, "merge_seconds", 0))
        drain_until = end + timedelta(seconds=window + 60)
        tick = timedelta(seconds=1)
        i = 0
        while clock.at < drain_until:
            while i < len(events) and events[i][0] <= clock.at:
                ingest(feed, [events[i][1]])  # one event per request, as the simulator posts
                i += 1
            while ids := worker.claim(64):
                for pk in ids:
                    worker.deliver(pk)
            clock.at += tick

    calls = set(Call.objects.filter(agency=agency, historical=False).values_list("pk", flat=True))
    sent = list(
        Outbox.objects.filter(
            call_id__in=calls, channel="sms", state__in=(State.SENT, State.DELIVERED)
        ).values_list("call_id", "language", "body")
    )
    per_call: dict[int, int] = {}
    by_language: dict[str, list[int]] = {}
    ucs2: dict[str, int] = {}
    for call_id, language, body in sent:
        per_call[call_id] = per_call.get(call_id, 0) + 1
        analysis = gsm.analyse(body)
        code = (language or "en").split("-")[0]
        by_language.setdefault(code, []).append(analysis.segments)
        ucs2[code] = ucs2.get(code, 0) + (analysis.encoding == gsm.UCS2)
    segments = [s for values in by_language.values() for s in values]
    return {
        "events": len(events),
        "calls": len(calls),
        "calls_texted": len(per_call),
        "texts": len(sent),
        "texts_per_call": round(len(sent) / len(per_call), 2) if per_call else 0,
        "max_texts_per_call": max(per_call.values(), default=0),
        "segments_per_text": round(statistics.mean(segments), 2) if segments else 0,
        "languages": {
            code: {
                "texts": len(values),
                "segments_per_text": round(statistics.mean(values), 2),
                "max_segments": max(values),
                "ucs2_texts": ucs2[code],
            }
            for code, values in sorted(by_language.items())
        },
        "merge_window_s": window,
    }


if __name__ == "__main__":
    main()
