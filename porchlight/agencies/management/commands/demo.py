"""`porchlight demo`: a working Porchlight in one command.

Migrates, seeds a demo agency with a week of history, prints a staff login, starts the web
server, feeds it from the CAD simulator in real time, and runs the worker that sends the texts
to the development inbox. It runs until Ctrl-C; `--for SECONDS`
runs a bounded demo for CI and fails when the server ingested nothing.
"""

from __future__ import annotations

import signal
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils import timezone

from porchlight.calls.models import Call
from porchlight.community import demo as community_demo
from porchlight.demo.runner import DemoError, Feed, Server
from porchlight.demo.seed import seed
from porchlight.demo.staff import current_code, ensure_staff
from porchlight.notify.channels import from_settings
from porchlight.notify.models import DevMessage
from porchlight.notify.worker import Worker


class Command(BaseCommand):
    help = "Run a demo: seed an agency, start the server and feed it simulated CAD events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--speed",
            type=float,
            default=20.0,
            help="simulated minutes per real minute (default 20: a call clears in a few minutes)",
        )
        parser.add_argument(
            "--history-days",
            type=float,
            default=7.0,
            help="days of history to seed on the first run",
        )
        parser.add_argument(
            "--for",
            dest="duration",
            type=float,
            help="stop after this many seconds and check that events were ingested",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        say = self.stdout.write
        say("Preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        base_url = f"http://{opts['host']}:{opts['port']}"
        # Every link must open this demo's server, whatever its port: the texts the worker
        # sends, and those the seed writes (alert and assistance notices, their outbox rows),
        # so SITE_URL is set before seeding, not only before the server starts.
        settings.SITE_URL = base_url
        demo = seed(history_days=opts["history_days"])
        login = ensure_staff(demo.agency)
        say(
            f"Agency: {demo.agency.name} ({demo.agency.slug}, ORI {demo.agency.ori}); also dispatching for {demo.neighbour.name}"
        )
        say(f"History: {demo.history_calls} calls. Quarantine: a few rejected events to look at.")

        log = settings.VAR_DIR / "demo-server.log"
        server = Server(
            opts["host"],
            opts["port"],
            env={"PORCHLIGHT_DEV_INBOX": "1", "SITE_URL": base_url},
            log=log,
        )
        began = timezone.now()
        try:
            server.start()
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        feed = Feed(
            server.url,
            demo.agency.slug,
            demo.key,
            opts["speed"],
            demo.next_incident,
            demo.agency.time_zone,
        )
        # The worker runs in this process, as `porchlight worker` would beside the server: it
        # sends what intake plans through the development inbox.
        worker = Worker(from_settings(), threads=4)
        worker_stop = threading.Event()
        worker_thread = threading.Thread(
            target=worker.loop, args=(worker_stop,), name="worker", daemon=True
        )
        # `kill`, `docker stop` and systemd send SIGTERM: stop as Ctrl-C does, so the web server
        # and the simulator go with the demo instead of holding its port.
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            self._print_welcome(server, login, demo.agency.slug, opts["speed"], log)
            worker_thread.start()
            feed.start()
            deadline = time.monotonic() + opts["duration"] if opts["duration"] else None
            while deadline is None or time.monotonic() < deadline:
                if feed.error is not None or (
                    server.process is not None and server.process.poll() is not None
                ):
                    break
                time.sleep(0.5)
        except KeyboardInterrupt:
            say("\nStopping…")
        finally:
            feed.stop()
            worker_stop.set()
            if worker_thread.ident is not None:  # a signal may come before it started
                worker_thread.join(timeout=15)
            server.stop()

        totals = feed.totals
        say(
            "Simulator sent: "
            + (", ".join(f"{k} {v}" for k, v in sorted(totals.items())) or "nothing")
        )
        say(
            f"Texts and emails sent to the development inbox: {DevMessage.objects.filter(sent_at__gte=began).count()}"
        )
        if feed.error is not None:
            raise CommandError(f"the simulator stopped: {feed.error}")
        if opts["duration"]:
            live = Call.objects.filter(
                agency=demo.agency, historical=False, created__gte=began
            ).count()
            if not live or not totals.get("applied"):
                raise CommandError(
                    f"no simulated call was ingested in {opts['duration']:g} s; see {log}"
                )
            say(
                f"OK: {live} calls ingested from {totals['applied']} events in {opts['duration']:g} s."
            )

    def _print_welcome(self, server: Server, login: Any, slug: str, speed: float, log: Any) -> None:
        say = self.stdout.write
        base = server.url
        say("")
        say(self.style.SUCCESS(f"Porchlight demo running at {base} ({server.kind}; log in {log})"))
        # The residents' side first: half of what the department asked for, and a newcomer
        # would not guess its addresses.
        say(
            f"  Neighborhood    {base}{reverse('community:home', args=[slug])}  (feed, posts, requests for help)"
        )
        say(f"  Crime map       {base}{reverse('publicmap:map', args=[slug])}")
        say(f"  Alerts          {base}{reverse('alerts:list', args=[slug])}")
        say(f"  Report online   {base}{reverse('report_choose', args=[slug])}")
        say(f"  Staff console   {base}/console/")
        say(
            f"  Messages        {base}{reverse('notify:messages')}  (why a caller got no text; stops)"
        )
        say(
            f"  Replies         {base}{reverse('notify:replies')}  (texts callers sent back; consent log)"
        )
        say(f"  Message rules   {base}/admin/notify/rule/  (templates with a live preview)")
        say(f"  Health          {base}/healthz  ({base}/metrics with PORCHLIGHT_METRICS_TOKEN)")
        say(f"  Django admin    {base}/admin/")
        say(f"  API docs        {base}/api/v1/docs")
        say(f"  Dev inbox       {base}{reverse('notify:dev_inbox')}")
        say("")
        say("Demo resident login (the neighborhood's sign-in):")
        say(f"  email           {community_demo.RESIDENTS[0][0]}")
        say(f"  password        {community_demo.DEMO_PASSWORD}")
        say("")
        say("Demo staff login (agency admin):")
        say(f"  username        {login.username}")
        say(f"  password        {login.password}")
        say(f"  TOTP secret     {login.totp_secret}")
        say(f"  otpauth URI     {login.otpauth_uri}")
        say(f"  code right now  {current_code(login.totp_secret)} (changes every 30 s)")
        say("")
        say(f"CAD simulator feeding {base} at {speed:g}x real time; the worker sends the texts.")
        say("Texts appear in the dev inbox within a minute. Ctrl-C stops.")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
