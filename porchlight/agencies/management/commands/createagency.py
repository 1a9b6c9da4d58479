"""`porchlight createagency`: a new agency from the shell, as the admin's "Add agency" makes it.

An operator's first hour starts here (docs/operators.md): the agency, then its first admin
(`createstaff`). Like the admin, it installs the default message rules and templates, so the
agency texts its callers from its first CAD event, and it is audited.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from porchlight.agencies.models import Agency
from porchlight.audit.log import record
from porchlight.notify import rules


class Command(BaseCommand):
    help = (
        "Create an agency (the tenant CAD feeds, staff and messages belong to), with the "
        "default message rules."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--slug", required=True, help="Short name in URLs, e.g. bakersfield-pd (permanent)."
        )
        parser.add_argument("--name", required=True, help="As callers read it in every text.")
        parser.add_argument(
            "--ori",
            required=True,
            help="FBI Originating Agency Identifier, 9 characters (e.g. CA0150200); routes "
            "consolidated CAD feeds.",
        )
        parser.add_argument(
            "--time-zone",
            required=True,
            help="IANA time zone, e.g. America/Los_Angeles: quiet hours and staff times.",
        )
        parser.add_argument(
            "--non-emergency-number",
            required=True,
            help="Printed in texts and on track pages, e.g. 661-327-7111.",
        )
        codes = ",".join(code for code, _name in settings.LANGUAGES)
        parser.add_argument(
            "--languages",
            default=codes,
            help=f"Comma-separated language codes, the default first (available: {codes}).",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        known = {code for code, _name in settings.LANGUAGES}
        languages = [code.strip() for code in opts["languages"].split(",") if code.strip()]
        unknown = [code for code in languages if code not in known]
        if not languages or unknown:
            raise CommandError(
                f"--languages: {', '.join(unknown) or 'none given'}; available: "
                f"{', '.join(sorted(known))}."
            )
        agency = Agency(
            slug=opts["slug"],
            name=opts["name"].strip(),
            ori=opts["ori"].strip().upper(),
            time_zone=opts["time_zone"].strip(),
            non_emergency_number=opts["non_emergency_number"].strip(),
            languages=list(dict.fromkeys(languages)),
        )
        try:
            agency.full_clean()
        except ValidationError as exc:
            problems = "; ".join(
                f"--{field.replace('_', '-')}: {' '.join(messages)}"
                for field, messages in exc.message_dict.items()
            )
            raise CommandError(problems) from exc
        with transaction.atomic():
            agency.save()
            made = rules.install_defaults(agency)
            record(
                "agency.create",
                actor_label="createagency",
                agency=agency,
                target=agency,
                changes={
                    "slug": agency.slug,
                    "name": agency.name,
                    "ori": agency.ori,
                    "time_zone": agency.time_zone,
                    "languages": agency.languages,
                    "rules": made,
                },
            )
        say = self.stdout.write
        say(f"agency:      {agency.slug}")
        say(f"name:        {agency.name}")
        say(f"ORI:         {agency.ori}")
        say(f"time zone:   {agency.time_zone}")
        say(f"languages:   {', '.join(agency.languages)}")
        say(f"rules:       {made} default message rules")
        say(
            "next:        porchlight createstaff --agency "
            f"{agency.slug} --username … --email … --role admin"
        )
