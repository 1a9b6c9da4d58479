"""Every staff URL, found by walking the URL resolver (not a hand-kept list)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
# Parameters that are not record ids take a value the view knows: a dashboard's kind, a
# request's step. Ids are ints.
SAMPLES = {"kind": "calls", "action": "submit"}


@dataclass(frozen=True)
class StaffUrl:
    route: str  # e.g. "console/cases/<int:pk>/"
    name: str
    callback: Any

    @property
    def has_ids(self) -> bool:
        return any(
            converter == "int" or name not in SAMPLES
            for converter, name in CONVERTER.findall(self.route)
        )

    def path(self, value: int) -> str:
        """The URL with every id set to `value`, and other parameters set from SAMPLES."""

        def fill(match: re.Match[str]) -> str:
            converter, name = match.groups()
            return str(value) if converter == "int" else SAMPLES.get(name, str(value))

        return "/" + CONVERTER.sub(fill, self.route)

    def __str__(self) -> str:
        return self.route


def _walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, URLPattern]]:
    out: list[tuple[str, URLPattern]] = []
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            out.extend(_walk(entry.url_patterns, route))
        else:
            out.append((route, entry))
    return out


def console_urls() -> list[StaffUrl]:
    found = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith("console/"):
            found.append(StaffUrl(route, pattern.name or "", pattern.callback))
    return sorted(found, key=lambda u: u.route)
