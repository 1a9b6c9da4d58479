"""Delivery benchmark: texts per second from the outbox with 1, 2 and 4 worker processes.

    python bench/delivery.py            # full run, a few minutes
    python bench/delivery.py --quick    # under a minute

On PostgreSQL (`--pg-url`, default $BENCH_PG_URL or
postgres://postgres@127.0.0.1:5432/porchlight_bench; dropped and created fresh, so the name must
start with "porchlight_bench"), with the local Twilio as its own process answering every create
after 150 ms (`python -m standins.twilio_local --latency-ms 150`), and the agency's
Sender on the pool profile with 1,000 numbers, so the rate limit (1,000/s) is never the
bottleneck: the workers are.

For each worker count, real `porchlight worker` processes (their default --threads and
--batch unless given) are started against outbox rows planned by the real intake, then:
- a steady phase: rows fall due at a fixed rate (open loop), and the time from due to sent is
  measured for each (p50/p99): how late a text goes when the workers keep up;
- a backlog: a block of rows falls due at once, right as the steady phase ends (the workers are
  already busy, so no idle poll is counted); texts per second is the number of rows sent from
  that moment to the last one, divided by the time. Its due-to-sent p50/p99 are queueing and
  reported as such.
Sent means the provider accepted it and our row says `sent` (sent_at, stamped by the worker).

The baseline is the same provider called through the same SDK client (the TwilioSms channel) in
a plain sequential loop, in this process: one text per round trip. Ratios are against it.

A cProfile of one worker (in this process, its send threads included) shows where a worker's
time goes. CPU seconds of the workers and of the local Twilio are reported beside each figure:
everything shares the machine. The run ends with ONE JSON line holding every figure; targets
are printed beside the results, never asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from standins import crashloop  # noqa: E402

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/porchlight_bench"
LATENCY_MS = 150.0
POOL_SIZE = 1000
TARGETS = {"msgs_per_s": 300}


def log(*parts: Any) -> None:
    print(*parts, file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer texts; under a minute")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated")
    parser.add_argument("--threads", type=int, help="porchlight worker --threads (its default)")
    parser.add_argument("--batch", type=int, help="porchlight worker --batch (its default)")
    args = parser.parse_args()

    started = time.perf_counter()
    result: dict[str, Any] = {
        "bench": "delivery",
        "quick": args.quick,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            # The machine is shared: the 1/5/15-minute load averages as the run starts.
            "loadavg_start": [round(x, 1) for x in os.getloadavg()],
        },
        "command": " ".join(["python", "bench/delivery.py", *sys.argv[1:]]),
        "targets": TARGETS,
    }
    name = urlsplit(args.pg_url).path.lstrip("/")
    reason = ""
    if not name.startswith("porchlight_bench"):
        reason = (
            f"refusing to drop {name!r}: the bench database's name must start with porchlight_bench"
        )
    else:
        try:
            crashloop.fresh_database(args.pg_url)
        except crashloop.Unreachable as exc:
            reason = str(exc)
    if reason:
        log(f"postgres skipped: {reason}")
        result["postgres"] = {"skipped": reason}
    else:
        counts = [int(n) for n in args.workers.split(",")]
        result["postgres"] = run(args.pg_url, counts, args.threads, args.batch, quick=args.quick)
    result["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, separators=(",", ":")))


def run(
    url: str, counts: list[int], threads: int | None, batch: int | None, *, quick: bool
) -> dict[str, Any]:
    var = Path(tempfile.mkdtemp(prefix="bench-delivery-"))
    twilio_proc, twilio = crashloop.start_twilio(latency_ms=LATENCY_MS, log_path=var / "twilio.log")
    env = crashloop.django_env(
        url,
        var,
        TWILIO_ACCOUNT_SID=crashloop.DEFAULT_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=crashloop.DEFAULT_AUTH_TOKEN,
        TWILIO_FROM_NUMBER=crashloop.FROM_NUMBER,
        TWILIO_API_BASE=twilio,
        # Status callbacks go to a port nobody listens on (no web server in this bench); the
        # local Twilio notes the refusal and moves on, as Twilio does.
        SITE_URL=f"http://127.0.0.1:{crashloop.free_port()}",
    )
    os.environ.update(env)
    os.environ["LOG_LEVEL"] = "WARNING"  # this process; the workers log their start at INFO
    import django

    django.setup()
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    log(f"migrated in {time.perf_counter() - t:.1f} s; logs in {var}")
    out: dict[str, Any] = {
        "database": "postgres",
        "provider": {"latency_ms": LATENCY_MS, "kind": "local Twilio, its own process"},
        "sender": {"profile": "pool", "pool_size": POOL_SIZE},
        "worker_args": {"threads": threads, "batch": batch},
    }
    try:
        out["baseline"] = baseline(twilio, sends=12 if quick else 60)
        log("baseline", out["baseline"])
        first = 0
        steady_rate = 20.0 if quick else 50.0
        steady_s = 2.5 if quick else 15.0
        for n in counts:
            backlog = (80 if quick else 1200) * n
            phase, first = measure(
                n, env, var, twilio_proc.pid, first=first, threads=threads, batch=batch,
                steady_rate=steady_rate, steady_s=steady_s, backlog=backlog,
            )  # fmt: skip
            phase["vs_baseline"] = round(phase["msgs_per_s"] / out["baseline"]["msgs_per_s"], 1)
            out[f"workers_{n}"] = phase
            log(f"workers {n}", phase)
        out["profile_one_worker"], first = profile_worker(
            first, rows=60 if quick else 300, threads=threads, batch=batch
        )
    finally:
        crashloop.stop(twilio_proc)
    return out


# --- the baseline -----------------------------------------------------------------------------


def baseline(twilio: str, *, sends: int) -> dict[str, Any]:
    """The same provider through the same SDK client, one text after another."""
    from porchlight.notify.channels.base import Message
    from porchlight.notify.channels.sms import TwilioSms

    channel = TwilioSms(api_base=twilio, timeout=10)
    channel.send(Message(outbox_id=0, to="+16615550000", body="warm-up"))  # the connection
    began = time.perf_counter()
    for i in range(sends):
        channel.send(Message(outbox_id=i + 1, to=f"+1661555{i:04d}", body=f"Baseline text {i}"))
    took = time.perf_counter() - began
    return {
        "sends": sends,
        "seconds": round(took, 2),
        "msgs_per_s": round(sends / took, 2),
        "how": "TwilioSms.send in a sequential loop (the SDK's client, one connection)",
    }


# --- one worker count -------------------------------------------------------------------------


def _cpu(pid: int) -> float:
    """CPU seconds a process has used so far (from /proc), 0.0 once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _seed(rows: int, first: int) -> tuple[list[int], int]:
    """`rows` new due rows (due in an hour, until we move them), and the next free call number."""
    from porchlight.notify.models import Outbox

    before = Outbox.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    made = crashloop.seed(rows, first=first, due_in=3600)
    ids = list(
        Outbox.objects.filter(pk__gt=before, state="planned")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert len(ids) == made["messages"], (len(ids), made)
    return ids, first + made["calls"]


def _wait_started(
    procs: list[subprocess.Popen[Any]], logs: list[Path], timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    for proc, path in zip(procs, logs, strict=True):
        while " started (" not in path.read_text():
            if proc.poll() is not None:
                raise RuntimeError(
                    f"worker exited with {proc.returncode}: {path.read_text()[-2000:]}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(f"worker not started after {timeout} s: {path}")
            time.sleep(0.1)


def _pcts(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p99": None}
    ordered = sorted(values)
    return {
        "p50": round(statistics.median(ordered), 1),
        "p99": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 1),
    }


def measure(
    n: int,
    env: dict[str, str],
    var: Path,
    twilio_pid: int,
    *,
    first: int,
    threads: int | None,
    batch: int | None,
    steady_rate: float,
    steady_s: float,
    backlog: int,
) -> tuple[dict[str, Any], int]:
    from django.db import connection
    from django.utils import timezone

    from porchlight.notify.models import Outbox

    steady_n = int(steady_rate * steady_s)
    ids, first = _seed(steady_n + backlog, first)
    steady_ids, backlog_ids = ids[:steady_n], ids[steady_n:]
    args = ["--threads", str(threads)] if threads else []
    args += ["--batch", str(batch)] if batch else []
    procs, logs = [], []
    for i in range(n):
        path = var / f"workers{n}-{i}.log"
        with path.open("w") as stderr:
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "porchlight.cli", "worker", *args],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                    cwd=ROOT,
                )  # fmt: skip
            )
        logs.append(path)
    try:
        _wait_started(procs, logs)
        # The steady rows fall due one by one from t0; the backlog all at once at t0 + steady_s.
        t0 = timezone.now() + timedelta(seconds=0.5)
        backlog_due = t0 + timedelta(seconds=steady_s)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE notify_outbox SET due_at = %s::timestamptz "
                "+ (ord - 1) * make_interval(secs => %s) "
                "FROM unnest(%s::bigint[]) WITH ORDINALITY AS u(id, ord) WHERE notify_outbox.id = u.id",
                [t0, 1.0 / steady_rate, steady_ids],
            )
        Outbox.objects.filter(pk__in=backlog_ids).update(due_at=backlog_due)
        cpu_workers = [_cpu(p.pid) for p in procs]
        cpu_twilio = _cpu(twilio_pid)
        deadline = time.monotonic() + steady_s + 120 + backlog / 20
        while Outbox.objects.filter(
            pk__in=ids, state__in=("planned", "scheduled", "sending")
        ).exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"{n} workers did not send their rows in time; logs in {var}")
            if any(p.poll() is not None for p in procs):
                raise RuntimeError(f"a worker exited; logs in {var}")
            time.sleep(0.2)
        worker_cpu = sum(_cpu(p.pid) for p in procs) - sum(cpu_workers)
        twilio_cpu = _cpu(twilio_pid) - cpu_twilio
    finally:
        for p in procs:
            crashloop.stop(p)

    rows = list(Outbox.objects.filter(pk__in=ids).values_list("pk", "state", "due_at", "sent_at"))
    states: dict[str, int] = {}
    for _pk, state, _due, _sent in rows:
        states[state] = states.get(state, 0) + 1
    steady = set(steady_ids)
    sent = [(pk, due, at) for pk, _state, due, at in rows if at is not None]
    steady_ms = [(at - due).total_seconds() * 1000 for pk, due, at in sent if pk in steady]
    backlog_ms = [(at - due).total_seconds() * 1000 for pk, due, at in sent if pk not in steady]
    last = max(at for _pk, _due, at in sent)
    drained = sum(1 for _pk, _due, at in sent if at >= backlog_due)
    took = (last - backlog_due).total_seconds()
    return {
        "workers": n,
        "msgs_per_s": round(drained / took, 1),
        "backlog": {"rows": backlog, "sent_after_it_fell_due": drained, "seconds": round(took, 2)},
        "due_to_sent_ms_steady": {"rate_per_s": steady_rate, "rows": steady_n, **_pcts(steady_ms)},
        "due_to_sent_ms_backlog": _pcts(backlog_ms),
        "states": states,
        "worker_cpu_s": round(worker_cpu, 1),
        "worker_cpu_ms_per_msg": round(1000 * worker_cpu / max(1, len(sent)), 1),
        "twilio_cpu_s": round(twilio_cpu, 1),
        "wall_s": round((last - t0).total_seconds(), 1),
        "loadavg_1m_after": round(os.getloadavg()[0], 1),
    }, first


# --- where one worker's time goes -------------------------------------------------------------


def profile_worker(
    first: int, *, rows: int, threads: int | None, batch: int | None
) -> tuple[dict[str, Any], int]:
    """cProfile of one Worker in this process, over its claiming thread and its send threads.

    Each thread is profiled on its own CPU clock (time.thread_time), so the figures are CPU
    spent, not time spent waiting for the provider's 150 ms."""
    from django.db import close_old_connections
    from django.utils import timezone

    from porchlight.notify.channels import from_settings
    from porchlight.notify.models import Outbox
    from porchlight.notify.worker import Worker

    # A warm-up batch first, unprofiled: a fresh process builds its URL resolver, template
    # caches and connections once, which a short profile would otherwise mostly show.
    warm = 20
    ids, first = _seed(warm + rows, first)
    warm_ids, ids = ids[:warm], ids[warm:]
    Outbox.objects.filter(pk__in=warm_ids).update(due_at=timezone.now())
    profiles: list[cProfile.Profile] = []
    local = threading.local()
    profiling = threading.Event()

    def on_thread(work: Any) -> Any:
        """Run a send thread's piece of work under that thread's own profile."""
        if not profiling.is_set():
            return work()
        profile = getattr(local, "profile", None)
        if profile is None:
            profile = local.profile = cProfile.Profile(time.thread_time)
            profiles.append(profile)
        profile.enable()
        try:
            return work()
        finally:
            profile.disable()

    class Profiled(Worker):
        # What runs on the send threads: the sends, and line type lookups.
        def _send(self, item: Any) -> Any:
            return on_thread(lambda: super(Profiled, self)._send(item))

        def _line_type(self, row: Any, now: Any) -> None:
            return on_thread(lambda: super(Profiled, self)._line_type(row, now))

    kwargs: dict[str, Any] = {}
    if threads:
        kwargs["threads"] = threads
    if batch:
        kwargs["batch"] = batch
    worker = Profiled(from_settings(), **kwargs)
    while Outbox.objects.filter(pk__in=warm_ids, state__in=("planned", "scheduled")).exists():
        worker.run_once()
    Outbox.objects.filter(pk__in=ids).update(due_at=timezone.now())
    profiling.set()
    main = cProfile.Profile(time.thread_time)
    profiles.append(main)
    began = time.perf_counter()
    cpu = time.process_time()
    main.enable()
    while Outbox.objects.filter(pk__in=ids, state__in=("planned", "scheduled")).exists():
        worker.run_once()
    main.disable()
    took = time.perf_counter() - began
    cpu_used = time.process_time() - cpu
    worker._pool.shutdown(wait=True)
    close_old_connections()

    stats = pstats.Stats(profiles[0], stream=io.StringIO())
    for profile in profiles[1:]:
        stats.add(profile)
    raw = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values()) or 1.0
    table = [
        (tt, ct, f"{Path(file).name}:{line}:{func}")
        for (file, line, func), (_cc, _nc, tt, ct, _callers) in raw.items()
    ]
    top_self = sorted(table, reverse=True)[:15]
    porchlight_files = {
        f"{Path(file).name}:{line}:{func}"
        for (file, line, func) in raw
        if f"{os.sep}porchlight{os.sep}" in file
    }
    ours = sorted((r for r in table if r[2] in porchlight_files), key=lambda r: -r[1])[:12]
    sent = Outbox.objects.filter(pk__in=ids, state="sent").count()
    # Every SQL statement passes Django's CursorWrapper._execute once.
    statements = sum(
        nc
        for (file, _line, func), (_cc, nc, *_rest) in raw.items()
        if func == "_execute"
        and file.endswith(os.path.join("django", "db", "backends", "utils.py"))
    )
    return {
        "rows": rows,
        "sent": sent,
        "seconds": round(took, 2),
        "msgs_per_s_under_profiler": round(sent / took, 1),
        "cpu_s": round(cpu_used, 2),
        "cpu_ms_per_msg_under_profiler": round(1000 * cpu_used / max(1, sent), 2),
        "sql_statements_per_msg": round(statements / max(1, sent), 1),
        "self_time_top": [
            {"fn": name, "self_pct": round(100 * tt / total, 1)} for tt, _ct, name in top_self
        ],
        "porchlight_cumulative": [
            {"fn": name, "cum_pct": round(100 * ct / total, 1)} for _tt, ct, name in ours
        ],
    }, first


if __name__ == "__main__":
    main()
