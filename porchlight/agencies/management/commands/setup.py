"""`porchlight setup`: everything a new (or upgraded) database needs, in one idempotent command.

A fresh deployment that ran only `migrate` answered 500 at sign-in: allauth keeps rate limits
and used TOTP codes in the cache, and the default cache is a database table that only
`createcachetable` makes. This runs every step, in order, and is safe to run on every deploy.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

# A file every page links: if the finders cannot see it, static files are broken.
PROBE = "porchlight/site.css"


class Command(BaseCommand):
    help = (
        "Prepare the database and static files for this version: migrate, create the cache "
        "table, collect static files, then run the system checks. Safe to run on every deploy."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="Skip collectstatic (static files are served from the package through the "
            "finders, or collected elsewhere).",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        verbosity = int(opts["verbosity"])
        say = self.stdout.write
        say("1/4 migrate")
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        say("2/4 cache table")
        call_command("createcachetable", verbosity=max(verbosity - 1, 0))
        say("3/4 static files")
        if finders.find(PROBE) is None:
            raise CommandError(f"static files are missing: {PROBE} is not found (broken install?)")
        if opts["no_collectstatic"]:
            say("    not collected (--no-collectstatic); served from the package")
        else:
            call_command("collectstatic", interactive=False, verbosity=0)
            say(f"    collected into {settings.STATIC_ROOT}")
        say("4/4 checks")
        call_command("check", verbosity=0)
        say(
            self.style.SUCCESS("Ready. Next: porchlight createagency, then porchlight createstaff.")
        )
