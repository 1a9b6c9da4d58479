"""Who may see the dashboards: the one check every insights view goes through.

Today that is any signed-in staff member of an agency (read-only included: the figures hold no
personal data; the rows pages show incident numbers and codes, never a phone or an email), or
a platform superuser for every agency. When the role × capability matrix lands in
agencies/permissions.py, this decorator is the one place to switch to it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse

from porchlight.agencies.staff import staff_required


def dashboards() -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    return staff_required()
