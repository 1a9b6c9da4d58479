"""Public pages of the cases app: victim opt-in (case number and card code, then a code by
SMS). No login; rate limited per address; every failure answers the same way whatever the
reason, so the pages reveal nothing about which cases exist."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_ratelimit.decorators import ratelimit

from porchlight.agencies.models import Agency
from porchlight.calls.track import language_links
from porchlight.cases import optin
from porchlight.cases.forms import CodeForm, OptInForm


def _language(request: HttpRequest) -> str:
    wanted = request.GET.get("lang", "")
    if wanted in {code for code, _name in settings.LANGUAGES}:
        return wanted
    return translation.get_language() or settings.LANGUAGE_CODE


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    language = _language(request)
    with translation.override(language):
        response = render(
            request,
            template,
            {**context, "lang": language, "languages": language_links(language)},
            status=status,
        )
    # The code link is a key, as a track link is: never passed to another site, never indexed
    # or cached. (Not "no-referrer": browsers then send "Origin: null" with the page's forms,
    # and the CSRF check refuses every opt-in and copy request; the browser test caught it.)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    response["Content-Language"] = language
    return response


def _rate(group: str, request: HttpRequest) -> str:
    return str(settings.CASES_OPT_IN_RATE)


@ratelimit(key="ip", rate=_rate, group="case-opt-in", method="POST", block=False)
def opt_in(request: HttpRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(Agency, slug=slug)
    language = _language(request)
    with translation.override(language):
        form = OptInForm(request.POST or None, initial={"language": language})
        if request.method == "POST":
            if getattr(request, "limited", False):
                form.is_valid()
                form.add_error(
                    None, _("Too many tries from this connection. Try again in an hour.")
                )
                return _page(
                    request, "cases/optin_start.html", {"agency": agency, "form": form}, 429
                )
            if form.is_valid():
                data = form.cleaned_data
                case = optin.find_case(agency, data["case_number"], data["card_code"])
                if case is None:
                    form.add_error(
                        None,
                        _(
                            "The case number and the card code do not match. Check both on the card."
                        ),
                    )
                else:
                    try:
                        started = optin.start(case, data["phone"], data["language"])
                    except optin.Refused:
                        form.add_error(
                            "phone", _("Enter a mobile phone number that can get texts.")
                        )
                    else:
                        url = reverse("cases:opt-in-code", args=[slug, started.token])
                        return redirect(f"{url}?lang={data['language']}")
    return _page(request, "cases/optin_start.html", {"agency": agency, "form": form},
                 400 if request.method == "POST" else 200)  # fmt: skip


def opt_in_code(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    pending = optin.pending(token)
    if pending is None or pending.case.agency.slug != slug:
        raise Http404
    agency = pending.case.agency
    context: dict[str, Any] = {"agency": agency, "restart": reverse("cases:opt-in", args=[slug])}
    language = _language(request)
    with translation.override(language):
        form = CodeForm(request.POST or None)
        status = 200
        if pending.verified_at is not None:
            return _page(request, "cases/optin_done.html", {**context, "case": pending.case})
        if request.method == "POST" and form.is_valid():
            outcome = optin.verify(pending, token, form.cleaned_data["code"])
            if outcome == optin.Outcome.VERIFIED:
                return _page(request, "cases/optin_done.html", {**context, "case": pending.case})
            if outcome == optin.Outcome.WRONG:
                pending.refresh_from_db(fields=["tries"])
                left = optin.OTP_TRIES - pending.tries
                form.add_error(
                    "code", _("That code is not right. Tries left: %(n)d.") % {"n": left}
                )
                status = 400
            else:
                return _page(request, "cases/optin_over.html", {**context, "outcome": outcome}, 400)
    return _page(request, "cases/optin_code.html", {**context, "form": form}, status)


def report_copy(request: HttpRequest, slug: str) -> HttpResponse:
    """The public report-copy request form. Whether the case number exists, the answer is the
    same: records staff look it up."""
    from porchlight.cases import copies
    from porchlight.cases.forms import CopyRequestForm

    agency = get_object_or_404(Agency, slug=slug)
    language = _language(request)
    with translation.override(language):
        form = CopyRequestForm(request.POST or None, initial={"language": language})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            copies.request_copy(agency, data["case_number"], data["phone"], data["email"],
                                data["language"])  # fmt: skip
            return _page(request, "cases/copy_done.html", {"agency": agency})
    return _page(request, "cases/copy_form.html", {"agency": agency, "form": form},
                 400 if request.method == "POST" else 200)  # fmt: skip
