"""The crash loop (issues 4 and 18, "Crash safety"): kill workers with SIGKILL while they send,
again and again, then check that no message was lost and none was sent twice.

    python -m standins.crashloop                      # 10,000 texts, 200 kills
    python -m standins.crashloop --rows 2000 --kills 40 --out /tmp/crash.json
    python -m standins.crashloop --callbacks late     # callbacks late, twice, reordered

Twilio's status callbacks (`--callbacks`): `none` (the default) never arrive, as when a deploy
or a proxy error on the web side loses them (Twilio does not retry them), so only the worker
and reconciliation settle rows; `prompt` reach a real web process (granian) at once; `late`
reach it late (0.2 to 3 s), twice and out of order, through a relay here that answers Twilio
at once and forwards each one twice after random delays. The texts go from the agency's own
number and from its Messaging Service (every other call), never from TWILIO_FROM_NUMBER, so a
row whose worker died after Twilio accepted it is found only by what the row recorded it went
from (Outbox.sent_from). The report counts which path settled each sent row (worker,
callback, reconcile: Outbox.sent_by).

Everything is real and separate: PostgreSQL (its own database, `porchlight_crashloop`, dropped
and created fresh), three `porchlight worker` processes, and the local Twilio as a process
(`python -m standins.twilio_local`, a few milliseconds of latency so kills often land
between the provider accepting a message and our commit). Between the workers and the local
Twilio sits a recording relay in this process: it forwards every request unchanged and notes,
to the microsecond, when the provider accepted each message and for which outbox id (the
StatusCallback URL carries it). The local Twilio's own record only has Twilio's whole-second
`date_created`, too coarse for a window of milliseconds; the relay's notes are checked against
it (the same message SIDs), and duplicates are counted from the provider's own record.

The killer waits for a worker that holds rows in `sending`, kills it, waits for it to die, and
records which rows it held at that moment (nobody else may touch them until the stale window
passes, so the snapshot is exact). Those are "in flight at a kill": the only rows that could
be sent twice (a duplicate elsewhere is "unexplained"; since issue 18 the test allows none at
all). It then starts a new worker. Kills are paced by progress (one per few dozen rows
settled) so that they spread over the whole run.

The report (a dict, written as JSON) holds the counts, the window from the provider accepting
to our commit (the row's `sent_at`, stamped just before the committing UPDATE) for every row
its sender committed, how often a kill landed inside that window, and every duplicate with its
explanation. bench/delivery.py reuses the process helpers here.
"""

from __future__ import annotations

import argparse
import heapq
import http.client
import json
import math
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from standins.twilio_local.server import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = "porchlight_crashloop"
# The deployment's default number (TWILIO_FROM_NUMBER). The agency's texts go from its own
# Senders, as in production: a number and a Messaging Service, neither of them this one, so
# reconciliation must search by what each row recorded (issue 18).
FROM_NUMBER = "+15017122661"
AGENCY_NUMBER = "+16615550100"
AGENCY_SERVICE = "MG" + "c0ffee" + "0" * 26
# What becomes of Twilio's status callbacks (--callbacks):
#   none    never arrive (a deploy, a proxy error, a full disk on the web side): only the
#           worker and reconciliation settle rows;
#   prompt  reach a real web process at once;
#   late    reach it late (0.2 to 3 s), twice and out of order.
CALLBACK_MODES = ("none", "prompt", "late")
SENT_PATHS = ("worker", "callback", "reconcile")
# Settled: nothing more will happen to the row without a person or a callback.
SETTLED = ("sent", "delivered", "failed", "dead", "suppressed")
UNSETTLED = ("planned", "scheduled", "sending")
CALLBACK_ID = re.compile(r"/status/(\d+)/?$")
SECRET_KEY = "crashloop-secret-key-not-for-production-0123456789"
PII_KEY = "crashloop-pii-key-not-for-production-0123456789"


class Unreachable(RuntimeError):
    """PostgreSQL (or another part the loop needs) is not there: the reason, for people."""


def log(*parts: Any) -> None:
    print(*parts, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- PostgreSQL -------------------------------------------------------------------------------


def database_url(server: str, name: str = DATABASE) -> str:
    """`server` (a postgres:// URL, with or without a database) pointed at database `name`."""
    parts = urlsplit(server)
    return urlunsplit(parts._replace(path=f"/{name}"))


def fresh_database(url: str) -> None:
    """Drop and create the database `url` names. Unreachable with the reason when it cannot."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        raise Unreachable(
            f"PostgreSQL at {parts.hostname}:{parts.port or 5432} is not usable: "
            f"{str(exc).strip()}. The crash loop needs real PostgreSQL: start it, or point "
            "PORCHLIGHT_TEST_PG_URL (or DATABASE_URL) at one."
        ) from exc


def drop_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


# --- processes --------------------------------------------------------------------------------


def django_env(db_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a child Porchlight process (seeding, workers)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORCHLIGHT_"))}
    env.update(
        DATABASE_URL=db_url,
        DJANGO_SETTINGS_MODULE="porchlight.settings",
        PORCHLIGHT_VAR_DIR=str(var_dir),
        PORCHLIGHT_SECRET_KEY=SECRET_KEY,
        PORCHLIGHT_PII_KEY=PII_KEY,
        # Persistent connections, as production runs the worker (docs/operators.md): without
        # them every send opens a PostgreSQL connection.
        DB_CONN_MAX_AGE="600",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def start_twilio(
    *, latency_ms: float, log_path: Path, callback_delay_ms: float = 0.0
) -> tuple[subprocess.Popen[str], str]:
    """The local Twilio as its own process; returns it and its base URL once it listens."""
    port = free_port()
    with log_path.open("w") as stderr:
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "standins.twilio_local", "--port", str(port),
                "--latency-ms", str(latency_ms), "--callback-delay-ms", str(callback_delay_ms),
            ],
            stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=ROOT,
        )  # fmt: skip
    assert proc.stdout is not None
    banner = proc.stdout.readline()  # printed once the socket listens
    if f":{port}" not in banner:
        proc.kill()
        raise Unreachable(f"the local Twilio did not start: {log_path.read_text()[-2000:]}")
    return proc, f"http://127.0.0.1:{port}"


def start_worker(
    env: dict[str, str], log_path: Path, *, threads: int, batch: int, skip_checks: bool = False
) -> Any:
    """One `porchlight worker` process."""
    checks = ["--skip-checks"] if skip_checks else []
    with log_path.open("w") as stderr:
        return subprocess.Popen(
            [
                sys.executable, "-m", "porchlight.cli", "worker",
                "--threads", str(threads), "--batch", str(batch), *checks,
            ],
            env=env, stdout=subprocess.DEVNULL, stderr=stderr, cwd=ROOT,
        )  # fmt: skip


def stop(proc: subprocess.Popen[Any], timeout: float = 15.0) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def worker_name(pid: int) -> str:
    """The name a worker stamps on the rows it claims (porchlight.notify.worker.worker_name)."""
    return f"{socket.gethostname()}:{pid}"


# --- seeding (in a child process, with Django on the loop's database) -------------------------


def seed(rows: int, *, first: int = 0, due_in: float = 0.0) -> dict[str, Any]:
    """At least `rows` due texts, through the real intake: calls come in with a caller's phone,
    and the planner writes each call's first text and its delay notice. The delay notices are
    then made due too (as if their threshold had passed), so each call gives two different
    texts to one number. `due_in` seconds puts every row's due time in the future.
    """
    from datetime import timedelta

    from django.utils import timezone

    from porchlight.agencies.models import Agency
    from porchlight.calls.intake import Feed, ingest
    from porchlight.notify.models import Outbox, Sender, State
    from standins.builders import cad_event, make_agency

    agency = Agency.objects.filter(slug="crashloop").first()
    if agency is None:
        agency = make_agency(slug="crashloop", name="Crash loop PD", ori="CA0159997")
        # The pool profile with numbers to spare: the rate limit is never what slows a send.
        Sender.objects.create(
            agency=agency,
            label="Crash loop number",
            profile=Sender.Profile.POOL,
            phone_number=AGENCY_NUMBER,
            pool_size=1000,
            is_default=True,
        )
        Sender.objects.create(
            agency=agency,
            label="Crash loop messaging service",
            profile=Sender.Profile.POOL,
            messaging_service_sid=AGENCY_SERVICE,
            pool_size=1000,
            is_default=False,
        )
    service = Sender.objects.get(agency=agency, messaging_service_sid=AGENCY_SERVICE)
    feed = Feed(agency=agency, source="crashloop", covered={agency.ori: agency})
    before = set(Outbox.objects.values_list("pk", flat=True))
    at = timezone.now().isoformat()
    calls = math.ceil(rows / 2)
    events = [
        cad_event(
            i,
            incident=f"26-{i:07d}",
            at=at,
            # One number per call, so a provider lookup by recipient sees one call's texts.
            caller={"phone": f"+1661{2_000_000 + i:07d}", "language": "es" if i % 4 == 0 else "en"},
        )
        for i in range(first, first + calls)
    ]
    for i in range(0, len(events), 500):
        ingest(feed, events[i : i + 500])
    new = Outbox.objects.exclude(pk__in=before)
    due = timezone.now() + timedelta(seconds=due_in)
    made = new.filter(state__in=(State.PLANNED, State.SCHEDULED)).update(
        state=State.PLANNED, due_at=due
    )
    # Every other call's texts go through the Messaging Service (both of a call's texts, so
    # one recipient sees one sender).
    Outbox.objects.filter(pk__in=new, call__incident_number__regex=r"[13579]$").update(
        sender=service
    )
    return {
        "calls": calls,
        "messages": made,
        "suppressed_at_plan": new.filter(state=State.SUPPRESSED).count(),
    }


# --- the recording relay ----------------------------------------------------------------------

_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "proxy-connection"}
_FORWARD_BACK = {"content-type", "retry-after", "www-authenticate"}


@dataclass
class Accepted:
    outbox_id: int | None
    sid: str
    to: str
    at: float  # time.time() when the provider's answer reached the relay


class Relay:
    """Forwards requests to the local Twilio unchanged, noting each message it accepted.

    One upstream keep-alive connection per client connection; a request is never retried (a
    retried create would be a duplicate the loop made itself). An upstream failure is a 502,
    which the SDK reports and the worker treats as "may have been sent".
    """

    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.accepted: list[Accepted] = []
        self.errors: Counter[str] = Counter()  # upstream failures, by exception
        self.cut_short = 0  # requests whose sender died before the whole body arrived
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> str:
        relay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 60
            wbufsize = -1

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self._upstream: http.client.HTTPConnection | None = None
                self._used = 0.0

            def finish(self) -> None:
                if self._upstream is not None:
                    self._upstream.close()
                try:
                    super().finish()
                except OSError:
                    pass  # the worker was killed: nobody to flush to

            def do_GET(self) -> None:
                self._relay("GET")

            def do_POST(self) -> None:
                self._relay("POST")

            def _connection(self) -> http.client.HTTPConnection:
                # The local Twilio drops keep-alive connections idle for 30 s; start afresh
                # well before that rather than risk a create on a closing connection.
                if self._upstream is None or time.monotonic() - self._used > 10:
                    if self._upstream is not None:
                        self._upstream.close()
                    host, port = relay.upstream.hostname or "", relay.upstream.port or 80
                    self._upstream = http.client.HTTPConnection(host, port, timeout=30)
                    self._upstream.connect()
                    assert self._upstream.sock is not None
                    self._upstream.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                return self._upstream

            def _relay(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if len(body) < length:
                    # Killed mid-request: Twilio would never see a whole request either.
                    relay.cut_short += 1
                    self.close_connection = True
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                try:
                    upstream = self._connection()
                    upstream.request(method, self.path, body=body or None, headers=headers)
                    response = upstream.getresponse()
                    data = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    relay.errors[type(exc).__name__] += 1
                    if self._upstream is not None:
                        self._upstream.close()
                    self._upstream = None
                    self.close_connection = True
                    self._answer(502, b'{"status": 502, "message": "relay lost upstream"}', [])
                    return
                at = time.time()
                self._used = time.monotonic()
                if method == "POST" and response.status == 201 and "/Messages.json" in self.path:
                    form = parse_qs(body.decode(), keep_blank_values=True)
                    found = CALLBACK_ID.search(form.get("StatusCallback", [""])[0])
                    message = json.loads(data)
                    relay.accepted.append(
                        Accepted(
                            outbox_id=int(found[1]) if found else None,
                            sid=str(message["sid"]),
                            to=str(message["to"]),
                            at=at,
                        )
                    )
                back = [(k, v) for k, v in response.getheaders() if k.lower() in _FORWARD_BACK]
                self._answer(response.status, data, back)

            def _answer(self, status: int, data: bytes, headers: list[tuple[str, str]]) -> None:
                try:
                    self.send_response(status)
                    for name, value in headers:
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    self.wfile.flush()
                except OSError:
                    self.close_connection = True  # the worker died waiting for this answer

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 1024

            def handle_error(self, request: Any, client_address: Any) -> None:
                if not isinstance(sys.exc_info()[1], OSError):
                    super().handle_error(request, client_address)

        self._server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


class CallbackRelay:
    """Where the local Twilio posts status callbacks in the `prompt` and `late` modes.

    Like a web front that takes each request at once, it answers the local Twilio 204 and
    forwards the request, unchanged (its X-Twilio-Signature covers this relay's URL, which is
    the web process's SITE_URL), to a real Porchlight web process: in `prompt` mode once and
    at once; in `late` mode twice, each copy after its own random delay, so the statuses of
    one message arrive late, doubled and out of order ("delivered" before "sent").
    """

    def __init__(self, target: str, mode: str, *, seed: int | None = None) -> None:
        self.target = urlsplit(target)
        self.mode = mode
        self.copies = 2 if mode == "late" else 1
        self.delay = (0.2, 3.0) if mode == "late" else (0.0, 0.0)
        self._random = random.Random(seed)
        self.received = 0
        self.forwarded: Counter[int] = Counter()  # the web process's answers, by status
        self.errors: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._due: list[tuple[float, int, str, bytes, dict[str, str]]] = []
        self._wake = threading.Condition(self._lock)
        self._stopping = False
        self._sequence = 0
        self._server: ThreadingHTTPServer | None = None
        self._senders: list[threading.Thread] = []

    def start(self, port: int = 0) -> str:
        relay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() in ("content-type", "x-twilio-signature", "user-agent")
                }
                relay.take(self.path, body, headers)
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 1024

        self._server = Server(("127.0.0.1", port), Handler)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        for _ in range(8):
            thread = threading.Thread(target=self._send_due, daemon=True)
            thread.start()
            self._senders.append(thread)
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def take(self, path: str, body: bytes, headers: dict[str, str]) -> None:
        now = time.monotonic()
        with self._wake:
            self.received += 1
            for _ in range(self.copies):
                self._sequence += 1
                at = now + self._random.uniform(*self.delay)
                heapq.heappush(self._due, (at, self._sequence, path, body, headers))
            self._wake.notify_all()

    def pending(self) -> int:
        """Copies not yet answered by the web process: waiting for their time, or in flight."""
        with self._lock:
            done = sum(self.forwarded.values()) + sum(self.errors.values())
            return self.received * self.copies - done

    def _send_due(self) -> None:
        connection: http.client.HTTPConnection | None = None
        while True:
            with self._wake:
                while not self._stopping and (not self._due or self._due[0][0] > time.monotonic()):
                    wait = self._due[0][0] - time.monotonic() if self._due else None
                    self._wake.wait(wait if wait is None else max(0.0, wait))
                if self._stopping:
                    return
                _at, _n, path, body, headers = heapq.heappop(self._due)
            try:
                if connection is None:
                    host, port = self.target.hostname or "", self.target.port or 80
                    connection = http.client.HTTPConnection(host, port, timeout=30)
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                with self._lock:
                    self.forwarded[response.status] += 1
            except (OSError, http.client.HTTPException) as exc:
                # Twilio does not retry a status callback; nor does this relay.
                with self._lock:
                    self.errors[type(exc).__name__] += 1
                if connection is not None:
                    connection.close()
                connection = None

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def start_web(env: dict[str, str], log_path: Path, timeout: float = 60.0) -> Any:
    """A Porchlight web process (granian, WSGI, as production) on a free port, for the status
    callbacks; returns it and its URL once it answers."""
    port = free_port()
    with log_path.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",
                "--port", str(port), "--workers", "1", "--no-ws", "porchlight.wsgi:application",
            ],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/notify/sms/status/0/")
            answered = connection.getresponse().status
            connection.close()
            if answered == 405:  # the status webhook takes POST only: the app is up
                return proc, url
        except OSError:
            pass
        time.sleep(0.2)
    stop(proc)
    raise Unreachable(f"the web process did not start: {log_path.read_text()[-2000:]}")


# --- the loop ---------------------------------------------------------------------------------


@dataclass
class Config:
    server: str = DEFAULT_SERVER  # PostgreSQL; the loop uses its own database on it
    database: str = DATABASE  # dropped and created fresh: two loops at once need two names
    rows: int = 10_000
    kills: int = 200
    workers: int = 3
    threads: int = 8
    batch: int = 32
    latency_ms: float = 10.0
    stale_seconds: float = 5.0
    callbacks: str = "none"  # CALLBACK_MODES
    timeout: float = 900.0
    # No row settled for this long means something is broken. Longer than the reconcile lease
    # (a minute, in worker.py), which a killed lease holder keeps until it expires.
    stall_seconds: float = 90.0
    seed: int | None = None
    out: Path | None = None
    keep_database: bool = False


@dataclass
class Kill:
    at: float  # time.time() once the worker was dead
    worker: str
    held: list[int]  # rows it held in `sending` then
    stored_body: list[int]  # of those, the ones whose body it had stored (send under way)


@dataclass
class Running:
    proc: subprocess.Popen[Any]
    name: str
    started: float
    generation: int


@dataclass
class Loop:
    config: Config
    db: Any  # a psycopg connection to the loop's database (autocommit)
    env: dict[str, str]
    logs: Path
    kills: list[Kill] = field(default_factory=list)
    workers: list[Running] = field(default_factory=list)
    restarts: int = 0
    _started: int = 0

    def spawn(self) -> Running:
        self._started += 1
        path = self.logs / f"worker-{self._started:03d}.log"
        c = self.config
        # Django's system checks are a third of a worker's start-up CPU (0.4 of 1.3 s,
        # measured) and say nothing about crash safety; 200 restarts add up.
        proc = start_worker(self.env, path, threads=c.threads, batch=c.batch, skip_checks=True)
        running = Running(proc, worker_name(proc.pid), time.monotonic(), self._started)
        self.workers.append(running)
        return running

    def counts(self) -> Counter[str]:
        rows = self.db.execute("SELECT state, count(*) FROM notify_outbox GROUP BY state")
        return Counter({state: n for state, n in rows.fetchall()})

    def holding(self) -> dict[str, int]:
        rows = self.db.execute(
            "SELECT claimed_by, count(*) FROM notify_outbox WHERE state = 'sending' "
            "GROUP BY claimed_by"
        )
        return dict(rows.fetchall())

    def kill(self, victim: Running) -> None:
        os.kill(victim.proc.pid, signal.SIGKILL)
        victim.proc.wait()
        dead_at = time.time()
        held = self.db.execute(
            "SELECT id, body <> '' FROM notify_outbox WHERE state = 'sending' AND claimed_by = %s",
            [victim.name],
        ).fetchall()
        self.kills.append(
            Kill(dead_at, victim.name, [r[0] for r in held], [r[0] for r in held if r[1]])
        )
        self.workers.remove(victim)
        self.spawn()
        self.restarts += 1

    def run(self, total: int) -> tuple[float, str]:
        """Kill until the outbox is settled. Returns the seconds it took and what went wrong
        ("" when every row settled)."""
        c = self.config
        rng = random.Random(c.seed)
        # Rows settled between kills: 20% spare, so the kills are done before the rows are.
        step = max(1, total // (c.kills + c.kills // 5 + 1))
        for _ in range(c.workers):
            self.spawn()
        began = time.monotonic()
        last_kill_at_settled = 0
        last_report = progress_at = began
        last_settled = -1
        exits = 0
        while True:
            time.sleep(rng.uniform(0.01, 0.05))  # a random moment, not the worker's rhythm
            counts = self.counts()
            settled = sum(counts[s] for s in SETTLED)
            now = time.monotonic()
            if not sum(counts[s] for s in UNSETTLED):
                return now - began, ""
            if settled != last_settled:
                last_settled, progress_at = settled, now
            elif now - progress_at > c.stall_seconds:
                return now - began, (
                    f"no row settled for {c.stall_seconds:.0f} s ({dict(counts)}); "
                    f"the workers' last errors: {self.last_errors()}"
                )
            if now - began > c.timeout:
                return now - began, f"not settled after {c.timeout:.0f} s ({dict(counts)})"
            for w in list(self.workers):
                if w.proc.poll() is not None:
                    # Nobody killed it: a worker that cannot start or crashes by itself is a
                    # failure of its own, not something to paper over with restarts.
                    exits += 1
                    log(f"worker {w.name} exited with {w.proc.returncode}")
                    self.workers.remove(w)
                    if exits >= 3:
                        return now - began, (
                            f"{exits} workers exited by themselves; the last one's log ends: "
                            f"{self.tail(w)}"
                        )
                    self.spawn()
            if now - last_report > 10:
                last_report = now
                log(
                    f"{now - began:5.0f} s: {settled}/{total} settled, "
                    f"{len(self.kills)} kills, {dict(counts)}"
                )
            if len(self.kills) >= c.kills or settled - last_kill_at_settled < step:
                continue
            holding = self.holding()
            busy = [w for w in self.workers if holding.get(w.name)]
            if busy:
                self.kill(rng.choice(busy))
                last_kill_at_settled = settled

    def tail(self, w: Running, chars: int = 1500) -> str:
        return (self.logs / f"worker-{w.generation:03d}.log").read_text()[-chars:]

    def last_errors(self, limit: int = 5) -> list[str]:
        """The most recent distinct error lines across the running workers' logs."""
        seen: list[str] = []
        for w in self.workers:
            for line in reversed(self.tail(w, 20_000).splitlines()):
                if ("Error" in line or "ERROR" in line) and line not in seen:
                    seen.append(line.strip())
                    break
        return seen[:limit]


def run(config: Config) -> dict[str, Any]:
    """The whole loop: a fresh database, the processes, the kills, the report."""
    import psycopg

    c = config
    url = database_url(c.server, c.database)
    fresh_database(url)
    var = Path(tempfile.mkdtemp(prefix="crashloop-"))
    log(f"crash loop: database {url}, logs in {var}")
    if c.callbacks not in CALLBACK_MODES:
        raise ValueError(f"callbacks must be one of {CALLBACK_MODES}, not {c.callbacks!r}")
    twilio_proc: subprocess.Popen[str] | None = None
    relay: Relay | None = None
    loop: Loop | None = None
    web_proc: Any = None
    callbacks: CallbackRelay | None = None
    try:
        t = time.perf_counter()
        seeded = subprocess.run(
            [sys.executable, "-m", "standins.crashloop", "--seed-only", str(c.rows)],
            env=django_env(url, var),
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if seeded.returncode:
            raise RuntimeError(f"seeding failed:\n{seeded.stderr[-4000:]}")
        seeding = json.loads(seeded.stdout.strip().splitlines()[-1])
        log(f"seeded in {time.perf_counter() - t:.1f} s: {seeding}")

        twilio_proc, twilio = start_twilio(latency_ms=c.latency_ms, log_path=var / "twilio.log")
        relay = Relay(twilio)
        relay_url = relay.start()
        common = {
            "TWILIO_ACCOUNT_SID": DEFAULT_ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": DEFAULT_AUTH_TOKEN,
            "TWILIO_FROM_NUMBER": FROM_NUMBER,
            "TWILIO_API_BASE": relay_url,
            "PORCHLIGHT_STALE_SECONDS": str(c.stale_seconds),
        }
        if c.callbacks == "none":
            # Status callbacks go to a port nobody listens on: the provider records each one
            # (with the outbox id in its URL) and moves on, and no row hears of them.
            site = f"http://127.0.0.1:{free_port()}"
        else:
            # The web process checks each callback's signature against SITE_URL, the URL the
            # local Twilio called: the callback relay's.
            port = free_port()
            site = f"http://127.0.0.1:{port}"
            web_proc, web = start_web(
                django_env(url, var, SITE_URL=site, **common), var / "web.log"
            )
            callbacks = CallbackRelay(web, c.callbacks, seed=c.seed)
            callbacks.start(port)
        env = django_env(url, var, SITE_URL=site, **common)
        db = psycopg.connect(url, autocommit=True)
        ids = [r[0] for r in db.execute("SELECT id FROM notify_outbox WHERE state = 'planned'")]
        loop = Loop(c, db, env, var)
        seconds, problem = loop.run(len(ids))
        log(f"after {seconds:.1f} s: {problem or 'every row settled'}")
        for w in list(loop.workers):
            stop(w.proc)
        if callbacks is not None:
            # The late copies still on their way (waiting for their time, or in flight to a web
            # process that a busy machine slows), so the report counts every one.
            deadline = time.monotonic() + 120
            while callbacks.pending() and time.monotonic() < deadline:
                time.sleep(0.1)
        report = analyse(
            c, loop, relay, twilio, ids, db, seconds=seconds, problem=problem, seeding=seeding,
            callbacks=callbacks,
        )  # fmt: skip
        report["logs"] = str(var)
        db.close()
    finally:
        if loop is not None:
            for w in loop.workers:
                stop(w.proc, timeout=5)
        if relay is not None:
            relay.stop()
        if callbacks is not None:
            callbacks.stop()
        if web_proc is not None:
            stop(web_proc)
        if twilio_proc is not None:
            stop(twilio_proc)
    if c.out is not None:
        c.out.parent.mkdir(parents=True, exist_ok=True)
        c.out.write_text(json.dumps(report, indent=1) + "\n")
    if not c.keep_database and report["ok"]:
        drop_database(url)
    return report


def _provider_record(
    twilio: str, expected: int
) -> tuple[dict[str, dict[str, Any]], dict[str, int]]:
    """The local Twilio's own record: its messages by SID, and each SID's outbox id as its
    status callbacks name it (the first callback is posted as soon as a message is accepted;
    waited for here, since they are posted in the background)."""
    import requests

    messages = requests.get(f"{twilio}/_local/messages", timeout=60).json()["messages"]
    by_sid = {m["sid"]: m for m in messages if m["direction"] == "outbound-api"}
    deadline = time.monotonic() + 60
    while True:
        callbacks = requests.get(f"{twilio}/_local/callbacks", timeout=60).json()["callbacks"]
        outbox_of: dict[str, int] = {}
        for entry in callbacks:
            found = CALLBACK_ID.search(str(entry["url"]))
            if found:
                outbox_of[str(entry["params"]["MessageSid"])] = int(found[1])
        if len(outbox_of) >= max(expected, len(by_sid)) or time.monotonic() > deadline:
            return by_sid, outbox_of
        time.sleep(0.5)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))], 2)


def analyse(
    c: Config,
    loop: Loop,
    relay: Relay,
    twilio: str,
    ids: list[int],
    db: Any,
    *,
    seconds: float,
    problem: str,
    seeding: dict[str, Any],
    callbacks: CallbackRelay | None = None,
) -> dict[str, Any]:
    accepted_at = {a.sid: a for a in relay.accepted}
    by_sid, outbox_of = _provider_record(twilio, len(relay.accepted))
    sids_of: dict[int, list[str]] = defaultdict(list)
    for sid, outbox_id in outbox_of.items():
        sids_of[outbox_id].append(sid)
    for sids in sids_of.values():
        sids.sort(key=lambda s: accepted_at[s].at if s in accepted_at else math.inf)

    rows = {
        r[0]: r
        for r in db.execute(
            "SELECT id, state, provider_id, sent_at, reason, sent_by FROM notify_outbox "
            "WHERE id = ANY(%s)",
            [ids],
        ).fetchall()
    }
    # Which path made each sent row sent (notify/sent.py records it), and what the rows went
    # from (the claim records it).
    settled_by = dict(
        db.execute(
            "SELECT sent_by, count(*) FROM notify_outbox WHERE id = ANY(%s) "
            "AND state IN ('sent', 'delivered') GROUP BY sent_by",
            [ids],
        ).fetchall()
    )
    sent_from = dict(
        db.execute(
            "SELECT sent_from, count(*) FROM notify_outbox WHERE id = ANY(%s) "
            "AND state IN ('sent', 'delivered') GROUP BY sent_from",
            [ids],
        ).fetchall()
    )
    without_sent_at = db.execute(
        "SELECT count(*) FROM notify_outbox WHERE id = ANY(%s) "
        "AND state IN ('sent', 'delivered') AND sent_at IS NULL",
        [ids],
    ).fetchone()[0]
    # The rows each kill caught in flight, and when.
    caught: dict[int, list[Kill]] = defaultdict(list)
    for kill in loop.kills:
        for pk in kill.held:
            caught[pk].append(kill)

    lost, unsettled, wrong_provider_id = [], [], []
    for pk in ids:
        _id, state, provider_id, _sent_at, reason, _by = rows[pk]
        if state in UNSETTLED:
            unsettled.append(pk)
        if state in ("sent", "delivered"):
            if provider_id not in sids_of.get(pk, []):
                wrong_provider_id.append(pk)  # we say sent, with a SID the provider lacks
        elif not sids_of.get(pk) and not (state in ("failed", "dead", "suppressed") and reason):
            lost.append(pk)

    grace = min(1.0, c.stale_seconds / 2)  # a dying request the provider finishes after the kill
    duplicates, unexplained = [], []
    for pk, sids in sids_of.items():
        if len(sids) < 2:
            continue
        first = accepted_at[sids[0]].at if sids[0] in accepted_at else math.inf
        kills = caught.get(pk, [])
        explained = any(first <= k.at + grace for k in kills)
        entry = {
            "outbox_id": pk,
            "copies": len(sids),
            "first_accepted_vs_kill_ms": [round((first - k.at) * 1000, 1) for k in kills],
        }
        duplicates.append(entry)
        if not explained:
            unexplained.append(entry)

    # The window, for every row whose own sender committed it (not caught by a kill, and not
    # settled first by a callback).
    window_ms: list[float] = []
    for pk in ids:
        _id, state, provider_id, sent_at, _reason, by = rows[pk]
        if pk in caught or by != "worker" or provider_id not in accepted_at:
            continue
        window_ms.append((sent_at.timestamp() - accepted_at[provider_id].at) * 1000)
    # Kills that landed inside the window: the provider had accepted a row the dead worker held.
    in_window_rows = 0
    kills_in_window = 0
    # A dead worker's COMMIT can still land: PostgreSQL may read it from the socket after the
    # process is gone and before the killer's snapshot. Such a row shows as the worker's own
    # send (sent_by "worker", one copy at the provider), settled by nobody else.
    caught_in_window: set[int] = set()  # a row can be held at two kills (one reconciling it)
    for kill in loop.kills:
        hit = 0
        for pk in kill.held:
            sids = sids_of.get(pk, [])
            if sids and sids[0] in accepted_at and accepted_at[sids[0]].at <= kill.at:
                hit += 1
                caught_in_window.add(pk)
        in_window_rows += hit
        kills_in_window += bool(hit)
    committed_after_kill = sum(rows[pk][5] == "worker" for pk in caught_in_window)

    if window_ms and abs(statistics.median(window_ms)) > 60_000:
        # The relay's clock (this process) and the workers' disagree: a test clock such as
        # time-machine in this process would do it. The window would be meaningless.
        problem = problem or (
            f"this process's clock is {statistics.median(window_ms) / 1000:.0f} s off the "
            "workers': is time frozen or travelled here?"
        )
    relay_sids = set(accepted_at)
    provider_sids = set(by_sid)
    report: dict[str, Any] = {
        "config": {
            "rows_asked": c.rows, "kills_asked": c.kills, "workers": c.workers,
            "threads": c.threads, "batch": c.batch, "latency_ms": c.latency_ms,
            "stale_seconds": c.stale_seconds, "seed": c.seed, "callbacks": c.callbacks,
        },
        "seeding": seeding,
        "rows": len(ids),
        "problem": problem,
        "seconds": round(seconds, 1),
        "kills": len(loop.kills),
        "rows_in_flight_at_kills": sum(len(k.held) for k in loop.kills),
        "rows_sending_at_kills": sum(len(k.stored_body) for k in loop.kills),
        "kills_in_window": kills_in_window,
        "rows_in_window_at_kills": in_window_rows,
        "distinct_rows_in_window_at_kills": len(caught_in_window),
        "rows_committed_after_kill": committed_after_kill,
        "states": dict(Counter(r[1] for r in rows.values())),
        "provider_messages": len(provider_sids),
        "relay_accepted": len(relay_sids),
        "relay_errors": dict(relay.errors),
        "relay_requests_cut_short": relay.cut_short,
        "relay_matches_provider": relay_sids == provider_sids,
        "provider_without_outbox_id": len(provider_sids - set(outbox_of)),
        "lost": lost,
        "unsettled": unsettled,
        "sent_with_unknown_provider_id": wrong_provider_id,
        "duplicates": len(duplicates),
        "duplicate_rows": duplicates,
        "settled_by": {
            "worker": settled_by.get("worker", 0),
            "callback": settled_by.get("callback", 0),
            "reconcile": settled_by.get("reconcile", 0),
            "other": sum(n for k, n in settled_by.items() if k not in SENT_PATHS),
        },
        "sent_from": sent_from,
        "sent_without_sent_at": without_sent_at,
        "callbacks": {
            "mode": c.callbacks,
            "from_provider": callbacks.received if callbacks else 0,
            "forwarded": {str(k): n for k, n in callbacks.forwarded.items()} if callbacks else {},
            "errors": dict(callbacks.errors) if callbacks else {},
        },
        "unexplained_duplicates": unexplained,
        "window_ms": {
            "rows": len(window_ms),
            "p50": _pct(window_ms, 0.5) if window_ms else None,
            "p90": _pct(window_ms, 0.9) if window_ms else None,
            "p99": _pct(window_ms, 0.99) if window_ms else None,
            "max": round(max(window_ms), 2) if window_ms else None,
            "mean": round(statistics.fmean(window_ms), 2) if window_ms else None,
        },
        "finished": datetime.now().astimezone().isoformat(timespec="seconds"),
    }  # fmt: skip
    report["ok"] = bool(
        not problem
        and not lost
        and not unsettled
        and not wrong_provider_id
        and not unexplained
        and not without_sent_at
        and report["relay_matches_provider"]
        and not report["provider_without_outbox_id"]
        and len(loop.kills) >= c.kills
        and len(ids) >= c.rows
    )
    return report


def summary(report: dict[str, Any]) -> str:
    w = report["window_ms"]
    return (
        f"crash loop: {report['problem'] or 'settled'}; "
        f"{report['rows']} rows, {report['kills']} kills in {report['seconds']} s; "
        f"lost {len(report['lost'])}, unsettled {len(report['unsettled'])}, "
        f"duplicates {report['duplicates']} "
        f"(unexplained {len(report['unexplained_duplicates'])}); "
        f"callbacks {report['config']['callbacks']}; settled by {report['settled_by']}; "
        f"kills inside the window {report['kills_in_window']} "
        f"({report['rows_in_window_at_kills']} rows); "
        f"window accepted->commit p50 {w['p50']} ms, p99 {w['p99']} ms, max {w['max']} ms "
        f"over {w['rows']} rows"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m standins.crashloop",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("PORCHLIGHT_TEST_PG_URL", DEFAULT_SERVER),
        help=f"PostgreSQL server; the loop uses (drops and creates) database {DATABASE}",
    )
    parser.add_argument(
        "--database",
        default=DATABASE,
        help="the database to use (dropped and created fresh); another name lets a second "
        "loop run beside one using the default",
    )
    parser.add_argument("--rows", type=int, default=Config.rows)
    parser.add_argument("--kills", type=int, default=Config.kills)
    parser.add_argument("--workers", type=int, default=Config.workers)
    parser.add_argument("--threads", type=int, default=Config.threads)
    parser.add_argument("--batch", type=int, default=Config.batch)
    parser.add_argument("--latency-ms", type=float, default=Config.latency_ms)
    parser.add_argument("--stale-seconds", type=float, default=Config.stale_seconds)
    parser.add_argument(
        "--callbacks",
        choices=CALLBACK_MODES,
        default=Config.callbacks,
        help="status callbacks never arrive (none), arrive at once (prompt), or late, twice "
        "and out of order (late)",
    )
    parser.add_argument("--seed", type=int, default=None, help="the killer's random seed")
    parser.add_argument(
        "--timeout", type=float, default=Config.timeout, help="seconds before giving up"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "crash-loop.json")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--seed-only", type=int, metavar="ROWS", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.seed_only:
        # The child that prepares the database, with Django set up on it.
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        print(json.dumps(seed(args.seed_only)))
        return 0
    config = Config(
        server=args.pg_url, database=args.database, rows=args.rows, kills=args.kills,
        workers=args.workers, threads=args.threads, batch=args.batch, latency_ms=args.latency_ms,
        stale_seconds=args.stale_seconds, callbacks=args.callbacks, seed=args.seed, out=args.out,
        keep_database=args.keep_database, timeout=args.timeout,
    )  # fmt: skip
    # SIGTERM (a CI timeout, a person) unwinds like ^C, so the workers and servers are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        report = run(config)
    except Unreachable as exc:
        print(exc, file=sys.stderr)
        return 2
    print(summary(report))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
