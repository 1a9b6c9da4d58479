"""Intake benchmark: the CAD API and history import, on SQLite and on PostgreSQL, in one run.

    python bench/intake.py            # full run, a few minutes
    python bench/intake.py --quick    # under a minute

For each engine, against a fresh migrated database:
- events/s through POST /api/v1/agencies/{slug}/cad/events with batches of 100, sent by several
  client threads to a real server (granian, WSGI, 2 workers) started here on a free port;
- the same batches of 100 again (those the first phase did not reach) against a server whose
  workers run one request at a time (granian --blocking-threads 1), beside the first;
- single-event posts per second, the same way;
- p50/p99 latency of single-event posts at a steady 50 events/s (open loop: latency counts from
  the moment a request was due, so a slow server cannot hide behind a waiting client);
- rows/s through the history import (porchlight.calls.importing.run_import on a JSON-lines file);
- same-run baselines on the same event rows: plain executemany INSERTs into a scratch table, and
  (PostgreSQL) COPY; ratios against them;
- a cProfile of ingest() on batches of 100, summarised (where the time goes);
- the cost curve: the same events through ingest() in batches of 1, 10, 100 and 1,000, with
  CPU per event of the Python process and of its PostgreSQL backend; and the load average at
  the start and end of each engine's run (the machine may be shared).

The server's CPU (all its processes, from /proc) and the load generator's CPU are reported beside
each throughput, since both share the machine. The run ends with ONE JSON line holding every
figure. It never asserts a figure: targets are printed beside the results, not enforced.

Each engine runs in a child process (settings are read once per process). PostgreSQL is
`--pg-url` (default postgres://postgres@127.0.0.1:5432/porchlight_bench); the database is dropped
and created fresh, so only a database whose name starts with "porchlight_bench" is accepted.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import queue
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/porchlight_bench"
BATCH = 100
TARGETS = {
    "api_events_per_s_postgres_batch100": 10_000,
    "p99_ms_at_50_per_s": 50,
    "import_vs_copy": 0.5,
}


# api: the HTTP phases; import: history import and its same-run baselines; curve: the cost
# curve; profile: cProfile of ingest() on batches of 100.
PHASES = ("api", "import", "curve", "profile")


def log(*parts: Any) -> None:
    print(*parts, file=sys.stderr, flush=True)


# --- the parent: one child per engine, one JSON line ---------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="short phases; finishes under a minute"
    )
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument(
        "--phases",
        default=",".join(PHASES),
        help=f"which phases to run, comma-separated (default: all of {','.join(PHASES)})",
    )
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument(
        "--child", nargs=3, metavar=("ENGINE", "DATABASE_URL", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        engine, url, out = args.child
        phases = set(args.phases.split(","))
        Path(out).write_text(json.dumps(run_engine(engine, url, quick=args.quick, phases=phases)))
        return

    started = time.perf_counter()
    result: dict[str, Any] = {
        "bench": "intake",
        "quick": args.quick,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "command": " ".join(["python", "bench/intake.py", *sys.argv[1:]]),
        "targets": TARGETS,
    }
    if unknown := set(args.phases.split(",")) - set(PHASES):
        parser.error(f"unknown phases {sorted(unknown)}")
    for engine in args.engines.split(","):
        prepared_at = time.perf_counter()
        if engine == "sqlite":
            url = ""  # filled in by the child: a file under its own temporary directory
        elif engine == "postgres":
            url, reason = prepare_postgres(args.pg_url)
            if reason:
                log(f"postgres skipped: {reason}")
                result[engine] = {"skipped": reason}
                continue
        else:
            parser.error(f"unknown engine {engine}")
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            cmd = (
                [sys.executable, __file__, "--child", engine, url, out.name]
                + (["--quick"] if args.quick else [])
                + ["--phases", args.phases]
            )
            log(f"== {engine}")
            began = time.perf_counter()
            code = subprocess.call(cmd, cwd=ROOT)
            text = Path(out.name).read_text()
            result[engine] = (
                json.loads(text) if code == 0 and text else {"failed": f"child exited {code}"}
            )
            # The child's whole life, its start-up and Django's setup included; and before it,
            # the fresh database (DROP and CREATE … TEMPLATE on PostgreSQL).
            result[engine]["child_seconds"] = round(time.perf_counter() - began, 1)
            result[engine]["prepare_seconds"] = round(began - prepared_at, 1)
    result["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, separators=(",", ":")))


def schema_key() -> str:
    """Names the migrated schema: every migration file's bytes and Django's version. A template
    database (or SQLite file) under this key is the schema `migrate` would build; the child
    still runs `migrate` on its copy, which then has nothing to do."""
    import hashlib

    import django

    digest = hashlib.sha256(django.get_version().encode())
    for path in sorted((ROOT / "porchlight").glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def _sqlite_template() -> Path:
    return Path(tempfile.gettempdir()) / f"porchlight-bench-tpl-{schema_key()}.sqlite3"


def _save_template(engine: str, url: str) -> None:
    """After the first migration for these migration files: keep a copy of the empty schema."""
    from django.db import connection

    if engine == "sqlite":
        target = _sqlite_template()
        if target.exists():
            return
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        partial = target.with_suffix(".partial")
        shutil.copyfile(url.removeprefix("sqlite:///"), partial)
        partial.replace(target)
        return
    template = os.environ.pop("BENCH_SAVE_TEMPLATE", "")
    if not template:
        return
    import psycopg

    connection.close()  # CREATE DATABASE … TEMPLATE needs the source to have no sessions
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    name = parts.path.lstrip("/")
    try:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{template}" TEMPLATE "{name}"')
    except psycopg.Error as exc:  # another bench made it meanwhile, or is reading it
        log(f"template {template} not saved: {str(exc).strip()}")


def prepare_postgres(url: str) -> tuple[str, str]:
    """A fresh, empty bench database, or the reason there cannot be one."""
    try:
        import psycopg
    except ImportError as exc:
        return url, f"psycopg not installed: {exc}"
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("porchlight_bench"):
        return (
            url,
            f"refusing to drop {name!r}: the bench database's name must start with porchlight_bench",
        )
    admin = urlunsplit(parts._replace(path="/postgres"))
    template = f"porchlight_bench_tpl_{schema_key()}"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            found = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [template]
            ).fetchone()
            copied = False
            if found:
                # Migrated once for these migrations: copied, not migrated again (PostgreSQL
                # migrations took 26-140 s on the shared machine, most of a --quick run).
                try:
                    conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                    copied = True
                except psycopg.errors.ObjectInUse:  # another bench is copying it right now
                    pass
            if not copied:
                conn.execute(f'CREATE DATABASE "{name}"')
            if not found:
                os.environ["BENCH_SAVE_TEMPLATE"] = template
    except psycopg.Error as exc:
        return (
            url,
            f"PostgreSQL at {parts.hostname}:{parts.port or 5432} is not reachable: {str(exc).strip()}",
        )
    return url, ""


# --- the child: everything for one engine ------------------------------------------------------


def run_engine(
    engine: str, url: str, *, quick: bool, phases: set[str] | None = None
) -> dict[str, Any]:
    child_started = time.perf_counter()
    phases = set(PHASES) if phases is None else phases
    var = Path(tempfile.mkdtemp(prefix=f"bench-{engine}-"))
    if not url:
        url = f"sqlite:///{var / 'bench.sqlite3'}"
        if _sqlite_template().exists():
            shutil.copyfile(_sqlite_template(), var / "bench.sqlite3")
    env = {
        "DATABASE_URL": url,
        "PORCHLIGHT_VAR_DIR": str(var),
        "PORCHLIGHT_SECRET_KEY": "bench-secret-key-not-for-production-0123456789",
        "PORCHLIGHT_PII_KEY": "bench-pii-key-not-for-production-0123456789",
        "DJANGO_SETTINGS_MODULE": "porchlight.settings",
        "LOG_LEVEL": "WARNING",
    }
    if engine == "postgres":
        # Persistent connections, as a production deployment runs (docs/operators.md).
        env["DB_CONN_MAX_AGE"] = "600"
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    from porchlight.calls.simulator import Simulator
    from standins.builders import make_agency, make_key

    # Wall seconds of each phase of this child, reported beside the figures: what makes a run
    # long (the --quick run has to finish under a minute).
    took: dict[str, float] = {"setup": round(time.perf_counter() - child_started, 1)}

    def lap(name: str, since: float) -> float:
        took[name] = round(time.perf_counter() - since, 1)
        return time.perf_counter()

    t = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    _save_template(engine, url)
    log(f"migrated in {time.perf_counter() - t:.1f} s")
    t = lap("migrate", t)
    agency = make_agency()
    _, key = make_key(agency, source="bench")
    # --quick is a smoke run (CI, and a check after a change); the full run's sizes are the
    # figures. Quick phases last 2 s: on a loaded machine each is stretched by several seconds
    # while in-flight batches of 100 finish, so their length is not what makes a run long.
    phase = 2.0 if quick else 30.0
    steady = 2.0 if quick else 30.0

    # Enough simulated events that no phase runs out before its time is up (about 115 events
    # per simulated hour at the default 500 calls a day).
    # The quick API phases use a few thousand at most (the quick figures of docs/performance.md:
    # under 600 events/s); simulating 30,000 took 2-7 s of each engine's quick run.
    needed = 12_000 if quick else 300_000
    if "api" not in phases:
        needed = 3_000 if quick else 50_000  # the import's rows, and the curve's and profile's
    # Simulated time ends now: CAD times more than a day ahead are implausible and rejected.
    hours = needed / 100
    start = datetime.now(UTC) - timedelta(hours=hours + 1)
    events = Simulator(seed=42, start=start, run_id="bench").run(hours)
    log(f"{len(events)} simulated events")
    t = lap("simulate", t)

    out: dict[str, Any] = {"database": engine, "server": {}, "load_average_start": os.getloadavg()}
    if "api" in phases:
        _api_phases(out, events, env, var, agency, key, phase=phase, steady=steady)
        t = lap("api", t)

    rows = events[: (3_000 if quick else 50_000)]
    if "import" in phases:
        if engine == "postgres":
            # COPY before and after the import, on a machine others share: the ratio is taken
            # against their mean, and both are reported.
            out["baseline_copy_before"] = baseline_copy(rows)
            log("copy before", out["baseline_copy_before"])
        out["import"] = import_rows(rows, var)
        log("import", out["import"])
        if engine == "postgres":
            out["import_through_ingest"] = import_rows(rows, var, through_ingest=True)
            log("import through ingest", out["import_through_ingest"])
        out["baseline_insert"] = baseline_insert(rows)
        log("insert", out["baseline_insert"])
        if engine == "postgres":
            after = baseline_copy(rows)
            log("copy after", after)
            before = out["baseline_copy_before"]
            out["baseline_copy"] = {
                **after,
                "rows_per_s": round((before["rows_per_s"] + after["rows_per_s"]) / 2, 1),
                "how": "COPY FROM STDIN, one transaction; mean of a run before and one after "
                "the import (the after run's other figures)",
            }
        out["ratios"] = ratios(out)
        t = lap("import", t)
    for name in ("api_batch100", "api_batch100_one_thread_per_worker"):
        if name in out:
            out[name]["server_cpu_ms_per_event"] = round(
                1000 * out[name]["server_cpu_s"] / max(1, out[name]["events"]), 3
            )
    if "curve" in phases:
        if quick:
            # 100 events make batches of 100 and of 1,000 the same single batch: 1,000 is left
            # out. (Running the batch of one on fewer events was tried: the first 20 events
            # clear no call, so they skip survey invitations and their cost per event is not
            # comparable with the other sizes'.)
            out["cost_curve"] = cost_curve(events[:100], sizes=(1, 10, 100))
        else:
            out["cost_curve"] = cost_curve(events[:1_000])
        log("cost curve", out["cost_curve"])
        t = lap("curve", t)
    out["load_average_end"] = os.getloadavg()
    if "profile" in phases:
        out["profile_ingest_batch100"] = profile_ingest(events[-(2 if quick else 50) * BATCH :])
        t = lap("profile", t)
    out["phase_seconds"] = took
    log("phase seconds", took)
    return out


def _api_phases(
    out: dict[str, Any],
    events: list[dict[str, Any]],
    env: dict[str, str],
    var: Path,
    agency: Any,
    key: str,
    *,
    phase: float,
    steady: float,
) -> None:
    from porchlight.demo.runner import Server

    server = Server("127.0.0.1", free_port(), workers=2, env=env, log=var / "server.log")
    # The batches of 100 are measured a second time, right after the first, against a server
    # whose workers run one request at a time (granian's --blocking-threads 1; its default for
    # WSGI is hundreds of threads a worker), on the batches the first phase did not reach.
    # Beside the first, not instead of it: with several requests in one worker, a batch that
    # holds its calls' row locks waits for the GIL after each statement while another
    # request's Python runs, and the batches queued on those calls wait with it
    # (docs/performance.md, issue 9 fourth pass).
    one = Server(
        "127.0.0.1",
        free_port(),
        workers=2,
        env={**env, "GRANIAN_BLOCKING_THREADS": "1"},
        log=var / "server-one-thread.log",
    )
    began = time.perf_counter()
    server.start()
    out["server"] = {
        "kind": server.kind,
        "workers": 2,
        "interface": "wsgi",
        "start_seconds": round(time.perf_counter() - began, 1),
    }
    try:
        one.start()
        endpoint = f"{server.url}/api/v1/agencies/{agency.slug}/cad/events"
        # Separate slices of one stream, so no phase resends another's events.
        a, b = int(len(events) * 0.6), int(len(events) * 0.85)
        batches = [events[i : i + BATCH] for i in range(0, a, BATCH)]
        out["api_batch100"] = closed_loop(server, endpoint, key, batches, threads=4, seconds=phase)
        log("api batch100", out["api_batch100"])
        rest = batches[out["api_batch100"]["requests"] :]
        out["api_batch100_one_thread_per_worker"] = {
            **closed_loop(
                one,
                f"{one.url}/api/v1/agencies/{agency.slug}/cad/events",
                key,
                rest,
                threads=4,
                seconds=phase,
            ),
            "server": "granian, 2 WSGI workers, --blocking-threads 1",
        }
        log("api batch100, one thread a worker", out["api_batch100_one_thread_per_worker"])
        singles = [[e] for e in events[a:b]]
        out["api_single"] = closed_loop(server, endpoint, key, singles, threads=4, seconds=phase)
        log("api single", out["api_single"])
        tail = [[e] for e in events[b:]]
        out["api_latency_50_per_s"] = open_loop(endpoint, key, tail, rate=50, seconds=steady)
        log("latency", out["api_latency_50_per_s"])
    finally:
        began = time.perf_counter()
        server.stop()
        one.stop()
        out["server"]["stop_seconds"] = round(time.perf_counter() - began, 1)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- CPU accounting ----------------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    pids = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                for child in f.read().split():
                    pids.extend(_tree(int(child)))
    except OSError:
        pass
    return pids


def process_cpu(pid: int) -> float:
    """CPU seconds used so far by a process and its children (e.g. granian's workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            pass
    return total / ticks


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- load generation ---------------------------------------------------------------------------


def _body(batch: list[dict[str, Any]]) -> bytes:
    import orjson

    return orjson.dumps({"events": batch})


def closed_loop(
    server: Any,
    endpoint: str,
    key: str,
    batches: list[list[dict[str, Any]]],
    *,
    threads: int,
    seconds: float,
) -> dict[str, Any]:
    """Client threads send the batches back to back until they run out or time is up."""
    import httpx

    bodies: queue.SimpleQueue[tuple[int, bytes]] = queue.SimpleQueue()
    for batch in batches:
        bodies.put((len(batch), _body(batch)))  # serialised up front: the clock measures the server
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    done = [0, 0, 0]  # events applied, requests, errors
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker() -> None:
        with httpx.Client(timeout=60, headers=headers) as client:
            while time.perf_counter() < stop_at:
                try:
                    n, body = bodies.get_nowait()
                except queue.Empty:
                    return
                r = client.post(endpoint, content=body)
                with lock:
                    done[1] += 1
                    if r.status_code == 200:
                        done[0] += r.json()["applied"]
                    else:
                        done[2] += 1

    cpu_server, cpu_client = process_cpu(server.process.pid), own_cpu()
    began = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    took = time.perf_counter() - began
    return {
        "events_per_s": round(done[0] / took, 1),
        "requests_per_s": round(done[1] / took, 1),
        "events": done[0],
        "requests": done[1],
        "errors": done[2],
        "seconds": round(took, 2),
        "client_threads": threads,
        "server_cpu_s": round(process_cpu(server.process.pid) - cpu_server, 2),
        "loadgen_cpu_s": round(own_cpu() - cpu_client, 2),
    }


def open_loop(
    endpoint: str, key: str, singles: list[list[dict[str, Any]]], *, rate: float, seconds: float
) -> dict[str, Any]:
    """One event per request at a steady rate; latency from when each request was due."""
    import httpx

    count = min(len(singles), int(rate * seconds))
    bodies = [_body(s) for s in singles[:count]]
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    began = time.perf_counter() + 0.2
    next_index = [0]

    def worker() -> None:
        with httpx.Client(timeout=60, headers=headers) as client:
            while True:
                with lock:
                    i = next_index[0]
                    next_index[0] += 1
                if i >= count:
                    return
                due = began + i / rate
                if (wait := due - time.perf_counter()) > 0:
                    time.sleep(wait)
                r = client.post(endpoint, content=bodies[i])
                elapsed = time.perf_counter() - due
                with lock:
                    latencies.append(elapsed * 1000)
                    if r.status_code != 200 or r.json()["applied"] != 1:
                        errors[0] += 1

    pool = [threading.Thread(target=worker) for _ in range(8)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    latencies.sort()
    return {
        "rate_per_s": rate,
        "requests": len(latencies),
        "errors": errors[0],
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 2),
        "max_ms": round(latencies[-1], 2),
    }


# --- import and baselines (in this process, against the same database) -------------------------


def import_rows(
    rows: list[dict[str, Any]], var: Path, *, through_ingest: bool = False
) -> dict[str, Any]:
    """run_import on a JSON-lines file of these rows. `through_ingest`: PostgreSQL's import
    forced through ingest() (the path SQLite takes, and PostgreSQL's before the staged one),
    into an agency of its own, for the same-run comparison."""
    import orjson

    from standins.builders import make_agency

    if through_ingest:
        agency = make_agency(slug="importbench2", name="Import bench 2", ori="CA0159996")
    else:
        agency = make_agency(slug="importbench", name="Import bench", ori="CA0159999")
    path = var / "history.jsonl"
    with path.open("wb") as f:
        for row in rows:
            f.write(orjson.dumps(row) + b"\n")
    try:
        from porchlight.calls.importing.run import run_import
    except ImportError:
        run_import = None  # type: ignore[assignment]
    if run_import is None:
        from porchlight.calls.intake import Feed, ingest

        feed = Feed(agency=agency, source="import", covered={agency.ori: agency}, historical=True)
        began = time.perf_counter()
        for i in range(0, len(rows), 500):
            ingest(feed, rows[i : i + 500])
        took = time.perf_counter() - began
        return {
            "via": "intake.ingest, batches of 500, historical (run_import missing)",
            "rows": len(rows),
            "seconds": round(took, 2),
            "rows_per_s": round(len(rows) / took, 1),
        }
    meter = CpuMeter()
    if through_ingest:
        from porchlight.calls.importing import run as import_run
        from porchlight.calls.importing import staged

        usable = staged.usable
        staged.usable = lambda: False  # type: ignore[assignment]
        try:
            result = run_import(path, agency, batch_rows=import_run.DEFAULT_BATCH_ROWS)
        finally:
            staged.usable = usable  # type: ignore[assignment]
        via = "run_import forced through intake.ingest(), batches of 500"
    else:
        result = run_import(path, agency)
        via = "porchlight.calls.importing.run_import (JSON-lines, default batch)"
    return {
        **meter.per_row(result.rows),
        "via": via,
        "rows": result.rows,
        "applied": result.applied,
        "seconds": round(result.seconds, 2),
        "rows_per_s": round(result.rows_per_second, 1),
    }


def _scratch_rows(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The rows the event log stores for these events, shaped for a scratch table."""
    from datetime import UTC, datetime

    import orjson

    from porchlight.calls.intake import content_hash

    now = datetime.now(UTC)
    return [
        (
            1,
            "bench",
            r["event_id"],
            content_hash(r),
            1,
            r["status"],
            datetime.fromisoformat(r["event_time"]),
            now,
            True,
            orjson.dumps(r).decode(),
        )
        for r in rows
    ]


SCRATCH = """CREATE TABLE bench_scratch (
    id {serial} PRIMARY KEY, agency_id bigint NOT NULL, source varchar(60) NOT NULL,
    event_id varchar(100) NOT NULL, content_hash varchar(64) NOT NULL, call_id bigint NOT NULL,
    status varchar(16) NOT NULL, event_time {ts} NOT NULL, arrived_at {ts} NOT NULL,
    historical boolean NOT NULL, payload {json} NOT NULL)"""
COLUMNS = "agency_id, source, event_id, content_hash, call_id, status, event_time, arrived_at, historical, payload"


def _fresh_scratch() -> None:
    from django.db import connection

    pg = connection.vendor == "postgresql"
    with connection.cursor() as c:
        c.execute("DROP TABLE IF EXISTS bench_scratch")
        c.execute(
            SCRATCH.format(
                serial="bigserial" if pg else "integer",
                ts="timestamptz" if pg else "datetime",
                json="jsonb" if pg else "text",
            )
        )


def baseline_insert(rows: list[dict[str, Any]]) -> dict[str, Any]:
    from django.db import connection, transaction

    data = _scratch_rows(rows)
    _fresh_scratch()
    marks = ", ".join(["%s"] * 10)
    began = time.perf_counter()
    for i in range(0, len(data), 1000):
        with transaction.atomic(), connection.cursor() as c:
            c.executemany(
                f"INSERT INTO bench_scratch ({COLUMNS}) VALUES ({marks})", data[i : i + 1000]
            )
    took = time.perf_counter() - began
    return {
        "rows": len(data),
        "seconds": round(took, 3),
        "rows_per_s": round(len(data) / took, 1),
        "how": "executemany INSERT, 1000 rows per transaction",
    }


def baseline_copy(rows: list[dict[str, Any]]) -> dict[str, Any]:
    from django.db import connection, transaction

    data = _scratch_rows(rows)
    _fresh_scratch()
    meter = CpuMeter()
    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as c:
        with c.cursor.copy(f"COPY bench_scratch ({COLUMNS}) FROM STDIN") as copy:
            for row in data:
                copy.write_row(row)
    took = time.perf_counter() - began
    return {
        **meter.per_row(len(data)),
        "rows": len(data),
        "seconds": round(took, 3),
        "rows_per_s": round(len(data) / took, 1),
        "how": "COPY FROM STDIN, one transaction",
    }


def ratios(out: dict[str, Any]) -> dict[str, float]:
    r: dict[str, float] = {}
    imp = out["import"]["rows_per_s"]
    for name in ("baseline_insert", "baseline_copy"):
        if name in out:
            base = out[name]["rows_per_s"]
            short = name.removeprefix("baseline_")
            if "api_batch100" in out:
                r[f"api_batch100_vs_{short}"] = round(out["api_batch100"]["events_per_s"] / base, 3)
            r[f"import_vs_{short}"] = round(imp / base, 3)
            if "import_through_ingest" in out:
                slow = out["import_through_ingest"]["rows_per_s"]
                r[f"import_through_ingest_vs_{short}"] = round(slow / base, 3)
    if "baseline_copy" in out and out["baseline_copy"].get("cpu_us_per_row"):
        # CPU per row of COPY ÷ CPU per row of the import: the same ratio, by CPU time.
        copy_cpu = out["baseline_copy"]["cpu_us_per_row"]
        for name in ("import", "import_through_ingest"):
            if out.get(name, {}).get("cpu_us_per_row"):
                r[f"{name}_vs_copy_by_cpu"] = round(copy_cpu / out[name]["cpu_us_per_row"], 3)
    return r


class CpuMeter:
    """CPU time per row of this process and of its PostgreSQL backend (from /proc), for a
    comparison that holds on a loaded machine better than rows per second do."""

    def __init__(self) -> None:
        self.backend = _backend_pid()
        self.py = own_cpu()
        self.db = process_cpu(self.backend) if self.backend else None

    def per_row(self, rows: int) -> dict[str, float | None]:
        py = 1e6 * (own_cpu() - self.py) / max(1, rows)
        db = None
        if self.backend and self.db is not None and _backend_pid() == self.backend:
            db = round(1e6 * (process_cpu(self.backend) - self.db) / max(1, rows), 1)
        return {
            "python_cpu_us_per_row": round(py, 1),
            "db_cpu_us_per_row": db,
            "cpu_us_per_row": round(py + db, 1) if db is not None else None,
        }


def _backend_pid() -> int | None:
    """The PostgreSQL backend serving this process's connection, when on this machine."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        pid = int(c.fetchone()[0])
    return pid if os.path.exists(f"/proc/{pid}/stat") else None


def cost_curve(
    events: list[dict[str, Any]], sizes: tuple[int, ...] = (1, 10, 100, 1000)
) -> list[dict[str, Any]]:
    """How cost grows with the batch: the same events through intake.ingest() (in this process,
    no HTTP) in batches of 1, 10, 100 and 1,000 (`sizes`), each size into its own fresh agency
    so every size does the same work. Beside the wall-clock rate, CPU per event of this process and (on
    PostgreSQL) of its database backend: figures a busy machine disturbs far less."""
    from django.db import connection

    from porchlight.calls.intake import Feed, ingest
    from standins.builders import make_agency

    curve = []
    for i, size in enumerate(sizes):
        agency = make_agency(slug=f"curve{size}", name=f"Curve {size}", ori=f"CA01597{i:02d}")
        feed = Feed(agency=agency, source="curve", covered={agency.ori: agency})
        connection.ensure_connection()
        backend = _backend_pid()
        db_before = process_cpu(backend) if backend else None
        cpu_before = time.process_time()
        began = time.perf_counter()
        applied = 0
        for j in range(0, len(events), size):
            outcomes, _ = ingest(feed, events[j : j + size])
            applied += sum(o.result == "applied" for o in outcomes)
        took = time.perf_counter() - began
        cpu = time.process_time() - cpu_before
        point: dict[str, Any] = {
            "batch": size,
            "events": len(events),
            "applied": applied,
            "seconds": round(took, 3),
            "events_per_s": round(len(events) / took, 1),
            "python_cpu_us_per_event": round(1e6 * cpu / len(events), 1),
        }
        if db_before is not None and backend:
            point["db_backend_cpu_us_per_event"] = round(
                1e6 * (process_cpu(backend) - db_before) / len(events), 1
            )
        curve.append(point)
    return curve


def profile_ingest(events: list[dict[str, Any]]) -> dict[str, Any]:
    """Where ingest() spends its time on batches of 100 (as the API sees them)."""
    from porchlight.calls.intake import Feed, ingest
    from standins.builders import make_agency

    agency = make_agency(slug="profilebench", name="Profile bench", ori="CA0159998")
    feed = Feed(agency=agency, source="profile", covered={agency.ori: agency})
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    for i in range(0, len(events), BATCH):
        ingest(feed, events[i : i + BATCH])
    profiler.disable()
    took = time.perf_counter() - began
    stats = pstats.Stats(profiler, stream=io.StringIO())
    total = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]
    rows = []
    for (file, line, func), (_cc, _nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append((tt, ct, f"{Path(file).name}:{line}:{func}"))
    top_self = sorted(rows, reverse=True)[:12]
    ours = sorted(
        (r for r in rows if "intake.py" in r[2] or "bulk.py" in r[2]), key=lambda r: -r[1]
    )[:8]
    return {
        "events": len(events),
        "seconds_profiled": round(took, 3),
        "events_per_s_under_profiler": round(len(events) / took, 1),
        "self_time_top": [
            {"fn": name, "self_pct": round(100 * tt / total, 1)} for tt, _ct, name in top_self
        ],
        "intake_cumulative": [
            {"fn": name, "cum_pct": round(100 * ct / total, 1)} for _tt, ct, name in ours
        ],
    }


if __name__ == "__main__":
    main()
