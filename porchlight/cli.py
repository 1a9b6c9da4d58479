"""The `porchlight` command: manage.py for an installed Porchlight."""

from __future__ import annotations

import os
import sys

HELP_FLAGS = {"-h", "--help", "--version"}
# Stand-ins that let the settings load when only help is asked for. They never sign or encrypt
# anything: a command given -h/--help prints its usage and exits before it runs.
HELP_ONLY_SECRETS = {
    "PORCHLIGHT_SECRET_KEY": "help-only-placeholder-never-used-to-sign-anything",
    "PORCHLIGHT_PII_KEY": "help-only-placeholder-never-used-to-encrypt-anything",
}


def asks_for_help(argv: list[str]) -> bool:
    """`porchlight`, `porchlight help [command]`, or any command with -h/--help/--version."""
    args = argv[1:]
    return not args or args[0] == "help" or any(arg in HELP_FLAGS for arg in args)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "porchlight.settings")
    if any(arg in ("-h", "--help") for arg in sys.argv[1:]) or sys.argv[1:2] in (["help"], []):
        # Help needs no secrets: settings use throwaway ones for this process only.
        os.environ.setdefault("PORCHLIGHT_HELP_ONLY", "1")
    if len(sys.argv) > 1 and sys.argv[1] == "demo":
        # The demo is a development run: it may use generated secrets and shows the dev inbox.
        os.environ.setdefault("PORCHLIGHT_DEV_INBOX", "1")
    if asks_for_help(sys.argv):
        # Help must work before any secret exists (a new operator reads it first); without the
        # settings Django lists only its own commands and says ours are unknown.
        for name, value in HELP_ONLY_SECRETS.items():
            if not os.environ.get(name):
                os.environ[name] = value
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - loads the settings, or says what they lack
    except ImproperlyConfigured as exc:
        # Said plainly, not as a traceback: Django notes the failure and runs on with only its
        # own commands and no apps, so a command failed later on something else (the missing
        # secret deep in a check's traceback, or "Apps/Models aren't loaded yet").
        sys.exit(f"porchlight: the settings cannot load: {exc}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
