"""`porchlight simulate`: feed a Porchlight server's CAD API from the simulator, over HTTP."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from porchlight.calls.simulator import CAD_STATUS_CODES, Feeder, FeedError, Simulator


class Command(BaseCommand):
    help = (
        "Post simulated CAD events to a Porchlight server. With --hours and no --speed, a stretch "
        "of simulated history is sent as fast as allowed (--rate); otherwise events are sent in real "
        "time, --speed times faster than life, until stopped or --hours of simulated time pass."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="the server's base URL")
        parser.add_argument("--agency", required=True, help="agency slug")
        parser.add_argument("--key", required=True, help="the agency's CAD API key")
        parser.add_argument(
            "--speed", type=float, help="real-time mode: simulated minutes per real minute"
        )
        parser.add_argument("--hours", type=float, help="simulated hours to send")
        parser.add_argument(
            "--rate", type=float, help="history mode: at most this many events per second"
        )
        parser.add_argument(
            "--batch", type=int, default=100, help="events per request in history mode (1-1000)"
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--start",
            help="simulated start time (ISO 8601 with offset); history mode defaults to now minus --hours",
        )
        parser.add_argument(
            "--first-incident", type=int, default=1, help="number of the first simulated incident"
        )
        parser.add_argument(
            "--run-id", help="prefix of event ids (default: derived from seed and start)"
        )
        parser.add_argument(
            "--cad-codes",
            action="store_true",
            help="send CAD status codes (DISP, ENRT, ARV, CLR, CAN) instead of Porchlight's words",
        )
        parser.add_argument("--time-zone", default="America/Los_Angeles")

    def handle(self, *args: Any, **opts: Any) -> None:
        self.verbosity = opts["verbosity"]
        if not 1 <= opts["batch"] <= 1000:
            raise CommandError("--batch must be between 1 and 1000")
        live = opts["speed"] is not None or opts["hours"] is None
        if opts["start"]:
            try:
                start = datetime.fromisoformat(opts["start"])
            except ValueError as exc:
                raise CommandError(f"--start: {exc}") from None
            if start.tzinfo is None:
                raise CommandError("--start needs a UTC offset, e.g. 2026-11-22T00:00:00-08:00")
        else:
            start = datetime.now().astimezone()
            if not live:
                start -= timedelta(hours=opts["hours"])
        sim = Simulator(
            opts["seed"],
            start,
            time_zone=opts["time_zone"],
            run_id=opts["run_id"] or f"sim{opts['seed']}-{start:%Y%m%dT%H%M}",
            first_incident=opts["first_incident"],
            status_codes=CAD_STATUS_CODES if opts["cad_codes"] else None,
            call_at_start=live,
        )
        feeder = Feeder(opts["url"], opts["agency"], opts["key"])
        try:
            if live:
                self._live(sim, feeder, opts["speed"] or 60.0, opts["hours"])
            else:
                self._history(sim, feeder, opts["hours"], opts["batch"], opts["rate"])
        except FeedError as exc:
            raise CommandError(f"the server refused the events: {exc}") from None
        except KeyboardInterrupt:
            self.stdout.write("stopped")
        finally:
            feeder.close()
        self.stdout.write(
            "sent: " + ", ".join(f"{k} {v}" for k, v in sorted(feeder.totals.items()))
        )

    def _history(
        self, sim: Simulator, feeder: Feeder, hours: float, batch: int, rate: float | None
    ) -> None:
        events = sim.run(hours)
        self.stdout.write(f"{len(events)} events over {hours:g} simulated hours")
        began = time.monotonic()
        for i in range(0, len(events), batch):
            if rate:
                # Pace by the total so far, so a slow request is made up for by the next ones.
                ahead = i / rate - (time.monotonic() - began)
                if ahead > 0:
                    time.sleep(ahead)
            feeder.send(events[i : i + batch])
        took = time.monotonic() - began
        self.stdout.write(
            f"{len(events)} events in {took:.1f} s ({len(events) / max(took, 1e-9):.0f}/s)"
        )

    def _live(self, sim: Simulator, feeder: Feeder, speed: float, hours: float | None) -> None:
        self.stdout.write(f"sending in real time at {speed:g}x; Ctrl-C stops")
        for event in sim.live(speed, hours=hours):
            # One request per event, as most CAD interfaces send them.
            feeder.send([event])
            if self.verbosity > 1:
                self.stdout.write(
                    f"{event['event_time']} {event['incident_number']} {event['status']}"
                )
