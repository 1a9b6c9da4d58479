"""The `porchlight` command: manage.py for an installed Porchlight."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "porchlight.settings")
    if any(arg in ("-h", "--help") for arg in sys.argv[1:]) or sys.argv[1:2] in (["help"], []):
        # Help needs no secrets: settings use throwaway ones for this process only.
        os.environ.setdefault("PORCHLIGHT_HELP_ONLY", "1")
    if len(sys.argv) > 1 and sys.argv[1] == "demo":
        # The demo is a development run: it may use generated secrets and shows the dev inbox.
        os.environ.setdefault("PORCHLIGHT_DEV_INBOX", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
