"""Who may see the dashboards: the one check every insights view goes through.

The permission matrix's `insights.view` (agencies/permissions.py): every staff role, read-only
included (the figures hold no personal data; the rows pages show incident numbers and codes,
never a phone or an email), and platform superusers for every agency.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse

from porchlight.agencies.permissions import Cap, requires


def dashboards() -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    return requires(Cap.INSIGHTS)
