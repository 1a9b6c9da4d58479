"""Builders for tests and benchmarks: API keys, CAD events, the stand-ins' HTTP servers, and
work committed on another connection.

`make_agency` lives with the demo (porchlight/demo/agency.py) and is re-exported here, so a
test imports every builder from one place."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.db import connections, transaction

from porchlight.agencies.models import Agency, ApiKey
from porchlight.demo.agency import CALL_TYPES, SENSITIVE_CALL_TYPES, make_agency

__all__ = [
    "CALL_TYPES",
    "SENSITIVE_CALL_TYPES",
    "cad_event",
    "elsewhere",
    "make_agency",
    "make_key",
    "serve",
    "shut",
]


def make_key(
    agency: Agency, source: str = "cad", covers: list[Agency] | None = None
) -> tuple[ApiKey, str]:
    raw = ApiKey.generate()
    key = ApiKey(agency=agency, source=source)
    key.set_key(raw)
    key.save()
    if covers:
        key.also_covers.set(covers)
    return key, raw


def cad_event(
    n: int = 1,
    *,
    incident: str = "26-000001",
    status: str = "received",
    at: str = "2026-11-22T14:14:00-08:00",
    **extra: Any,
) -> dict[str, Any]:
    """A valid CAD event as a CAD would send it."""
    event: dict[str, Any] = {
        "event_id": f"evt-{n:06d}",
        "incident_number": incident,
        "call_type": "459R",
        "call_type_description": "Residential burglary report",
        "priority": "2",
        "event_time": at,
        "status": status,
    }
    event.update(extra)
    return event


def serve(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    """A test stand-in's HTTP server on a free local port, answering in a daemon thread."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return server


def shut(server: ThreadingHTTPServer | None) -> None:
    if server is not None:
        server.shutdown()
        server.server_close()


def at_once(work: Callable[[Any], object], args: Sequence[Any], timeout: float = 120) -> None:
    """Run `work(arg)` for each arg on a thread of its own, all released at the same moment
    (a barrier), each closing its connections when done; fails with what any of them raised,
    or if one is still running after `timeout` seconds."""
    barrier = threading.Barrier(len(args))
    errors: list[BaseException] = []

    def run(arg: Any) -> None:
        try:
            barrier.wait()
            work(arg)
        except BaseException as exc:  # noqa: BLE001 - raised again below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(arg,)) for arg in args]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads) and not errors, errors


def elsewhere(work: Callable[[], object]) -> None:
    """Run `work` on another connection and commit it, as another process would."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with transaction.atomic():
                work()
        except BaseException as exc:  # noqa: BLE001 - raised again below
            errors.append(exc)
        finally:
            connections.close_all()

    t = threading.Thread(target=run)
    t.start()
    t.join(timeout=60)
    assert not t.is_alive() and not errors, errors
