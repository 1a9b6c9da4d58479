"""The start page at /: what Porchlight is, for anyone who types the domain.

In the visitor's language (?lang=, else what LocaleMiddleware read from Accept-Language), with
the same link-based language switch as the other public pages. It names the agency and its
non-emergency number only when the deployment serves exactly one agency; with several it
cannot know which one the visitor means, so it says to call their police department.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_safe

from porchlight.agencies.models import Agency
from porchlight.calls.track import language_for, language_links
from porchlight.notify import pii


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    language = language_for(request, None)
    agencies = list(Agency.objects.order_by("pk")[:2])
    agency = agencies[0] if len(agencies) == 1 else None
    context: dict[str, Any] = {"agency": agency, "languages": language_links(language)}
    if agency is not None:
        number = agency.non_emergency_number
        context["phone"] = number
        context["phone_href"] = pii.normalize_phone(number) or "".join(
            c for c in number if c.isdigit() or c == "+"
        )
    with translation.override(language):
        response = render(request, "start/home.html", context)
    response["Content-Language"] = language
    # The agency and the language vary the page; never serve one visitor's copy to another.
    response["Vary"] = "Accept-Language, Cookie"
    return response
