"""The running demo: a real web server, with the CAD simulator feeding it over HTTP.

The server is granian (WSGI), as in production; Django's runserver stands in only when granian
cannot start. The simulator posts from a thread of this process, one event per request, as a
CAD interface does; Ctrl-C (or the end of a bounded run) stops both.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from porchlight.calls.simulator import CAD_STATUS_CODES, Feeder, Simulator

READY_TIMEOUT = 30.0


def _answers(url: str) -> bool:
    """Whether `url` answers 200, asked with the standard library; the client closes, so the
    server's port is not left in TIME_WAIT when the demo stops."""
    target = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(target.netloc, timeout=2)
    try:
        connection.request("GET", target.path)
        response = connection.getresponse()
        response.read()
        return response.status == 200
    except (OSError, http.client.HTTPException):  # not listening yet
        return False
    finally:
        connection.close()


class DemoError(Exception):
    pass


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _granian_command(host: str, port: int, workers: int) -> list[str]:
    return [
        sys.executable, "-m", "granian", "--interface", "wsgi", "--host", host, "--port", str(port),
        "--workers", str(workers), "--no-ws", "porchlight.wsgi:application",
    ]  # fmt: skip


def _runserver_command(host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "porchlight.cli", "runserver", "--noreload", f"{host}:{port}"]


class Server:
    """A web server in a child process, started and waited on until it answers."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        workers: int = 1,
        env: dict[str, str] | None = None,
        log: Path | None = None,
    ) -> None:
        self.host, self.port, self.workers = host, port, workers
        self.url = f"http://{host}:{port}"
        self.env = {**os.environ, **(env or {})}
        self.env.setdefault("DJANGO_SETTINGS_MODULE", "porchlight.settings")
        self.log_path = log
        self.process: subprocess.Popen[bytes] | None = None
        self.kind = ""

    def start(self) -> None:
        if not port_is_free(self.host, self.port):
            raise DemoError(f"port {self.port} on {self.host} is in use; pick another with --port")
        for kind, command in (
            ("granian", _granian_command(self.host, self.port, self.workers)),
            ("runserver", _runserver_command(self.host, self.port)),
        ):
            self._spawn(command)
            if self._wait_ready():
                self.kind = kind
                return
            self.stop()
        raise DemoError(f"the web server did not start; see {self.log_path or 'its output'}")

    def _spawn(self, command: list[str]) -> None:
        out = open(self.log_path, "ab") if self.log_path else None  # noqa: SIM115 (the child keeps it)
        self.process = subprocess.Popen(
            command, env=self.env, stdout=out, stderr=subprocess.STDOUT if out else None
        )

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            if _answers(self.url + "/api/v1/openapi.json"):
                return True
            time.sleep(0.2)
        return False

    def stop(self, timeout: float = 10.0) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Feed:
    """The simulator thread: real-time events posted to the server until told to stop."""

    url: str
    agency: str
    key: str
    speed: float
    first_incident: int
    time_zone: str
    stop_event: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None
    thread: threading.Thread | None = None
    feeder: Feeder | None = None

    def start(self) -> None:
        self.feeder = Feeder(self.url, self.agency, self.key)
        self.thread = threading.Thread(target=self._run, name="cad-simulator", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        assert self.feeder is not None
        started = datetime.now().astimezone()
        sim = Simulator(
            seed=int(started.timestamp()),
            start=started,
            time_zone=self.time_zone,
            run_id=f"live{started:%Y%m%d%H%M%S}",
            first_incident=self.first_incident,
            status_codes=CAD_STATUS_CODES,
            call_at_start=True,
        )
        try:
            for event in sim.live(self.speed, stop=self.stop_event.is_set):
                self.feeder.send([event])
        except BaseException as exc:  # reported by the main thread, which decides the exit code
            self.error = exc

    def stop(self) -> None:
        self.stop_event.set()
        if self.thread is not None:
            self.thread.join(timeout=35)
        if self.feeder is not None:
            self.feeder.close()

    @property
    def totals(self) -> dict[str, int]:
        return dict(self.feeder.totals) if self.feeder else {}
