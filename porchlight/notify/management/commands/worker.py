"""porchlight worker: send what the outbox holds, until stopped."""

from __future__ import annotations

import signal
import threading
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from porchlight.calls.importing import background
from porchlight.notify.channels import from_settings
from porchlight.notify.worker import Worker
from porchlight.publicmap import jobs as publicmap_jobs


class Command(BaseCommand):
    help = "Send due outbox messages (texts, emails) through the configured providers."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--threads",
            type=int,
            default=16,
            help="sends per wave; two waves in flight (default 16)",
        )
        parser.add_argument("--batch", type=int, default=64, help="rows claimed at a time")
        parser.add_argument("--once", action="store_true", help="send what is due now, then exit")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            channels = from_settings()
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        worker = Worker(channels, threads=opts["threads"], batch=opts["batch"])
        if opts["once"]:
            worker.reconcile()
            total = 0
            while True:
                handled = worker.run_once()
                total += handled
                if handled:
                    continue
                if worker.paced_wait is None:
                    break
                # Due rows wait for their sender's tokens: "what is due now" includes them.
                time.sleep(worker.paced_wait)
            worker._pool.shutdown()
            publicmap_jobs.publish_due(f"{worker.name}-publicmap")
            imported = 0
            while background.run_next(f"{worker.name}-import") is not None:
                imported += 1
            self.stdout.write(f"handled {total} messages")
            if imported:
                self.stdout.write(f"ran {imported} console imports")
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        # Console imports run beside the sends, on their own thread and connection, so a long
        # import never holds up a text (calls/importing/background.py).
        imports = threading.Thread(
            target=background.loop, args=(stop, f"{worker.name}-import"), name="imports"
        )
        imports.start()
        publicmap = threading.Thread(
            target=publicmap_jobs.loop, args=(stop, f"{worker.name}-publicmap"), name="publicmap"
        )
        publicmap.start()
        worker.loop(stop)
        imports.join()
        publicmap.join()
