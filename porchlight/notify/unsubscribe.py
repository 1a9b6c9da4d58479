"""Email unsubscribe: the signed link every email carries, RFC 8058 one-click, and its pages.

Each email's `List-Unsubscribe` header and footer link point at
/notify/email/unsubscribe/<token>/. The token is the outbox row's id signed with SECRET_KEY
(salted, so no other signed value of ours fits here) and without a timestamp: people
unsubscribe from mail that is months old, and a link that stopped working would push them to
the spam button instead. The row gives the contact's address hash and language; the opt-out
is recorded against the From address (consent.sender_key), so it covers every email we send.

- POST with the body `List-Unsubscribe=One-Click` (RFC 8058, sent by mail clients and by
  mailbox providers on the user's behalf) unsubscribes at once.
- GET never unsubscribes: link scanners and previews fetch links. It shows a page with a
  button (a normal form, CSRF-protected) that posts to …/confirm/, then a confirmation.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from porchlight.notify import consent, pii
from porchlight.notify.models import Channel, Outbox

SALT = "porchlight.notify.unsubscribe"
# The value RFC 8058 says a one-click POST carries.
ONE_CLICK = "One-Click"
# Longer than any token we make; anything longer is refused without a look-up.
MAX_TOKEN_LENGTH = 100


def _signer() -> signing.Signer:
    # "." rather than ":" keeps the token one plain path segment.
    return signing.Signer(salt=SALT, sep=".")


def token_for(outbox_id: int) -> str:
    return _signer().sign(str(outbox_id))


def outbox_id_from(token: str) -> int:
    """The outbox id a token names; signing.BadSignature when it was not made by us."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise signing.BadSignature("token too long")
    value = _signer().unsign(token)
    if not value.isdigit():
        raise signing.BadSignature("not an outbox id")
    return int(value)


def url_for(outbox_id: int) -> str:
    return settings.SITE_URL + reverse("notify:email_unsubscribe", args=[token_for(outbox_id)])


def language_of(row: Outbox) -> str:
    """The contact's language: the row's, else the agency's default, else the site's."""
    codes = {code for code, _name in settings.LANGUAGES}
    for candidate in (row.language, row.language.split("-")[0], row.agency.default_language):
        if candidate in codes:
            return candidate
    return settings.LANGUAGE_CODE


# --- The views ------------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, status: int, template: str) -> None:
        self.status = status
        self.template = template


def _row(token: str) -> Outbox:
    try:
        outbox_id = outbox_id_from(token)
    except signing.BadSignature:
        raise _Refused(400, "notify/unsubscribe_invalid.html") from None
    row = (
        Outbox.objects.select_related("agency", "contact")
        .filter(pk=outbox_id, channel=Channel.EMAIL)
        .first()
    )
    if row is None:
        # Signed by us, but the message is gone (retention) or was never an email.
        raise _Refused(404, "notify/unsubscribe_gone.html")
    return row


def _language(request: HttpRequest, row: Outbox | None) -> str:
    wanted = request.GET.get("lang", "")
    if wanted in {code for code, _name in settings.LANGUAGES}:
        return wanted
    if row is None:
        return translation.get_language() or settings.LANGUAGE_CODE
    return language_of(row)


def _page(
    request: HttpRequest, template: str, row: Outbox | None, token: str = "", status: int = 200
) -> HttpResponse:
    language = _language(request, row)
    confirm = reverse("notify:email_unsubscribe_confirm", args=[token]) if row else ""
    context = {
        "agency": row.agency if row else None,
        "address": pii.mask(row.contact.address) if row else "",
        "languages": [
            {"code": code, "name": name, "current": code == language}
            for code, name in settings.LANGUAGES
        ],
        # The button keeps the page's language for the confirmation.
        "confirm_url": f"{confirm}?lang={language}",
    }
    with translation.override(language):
        response = render(request, template, context, status=status)
    # The token is in the URL: never pass it to another site, never index or cache the page.
    # (Not "no-referrer": browsers then send "Origin: null" with the button's form, and the
    # CSRF check refuses it.)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    response["Content-Language"] = language
    return response


def _opt_out(row: Outbox, source: str) -> None:
    consent.opt_out(
        Channel.EMAIL,
        row.contact.address_hash,
        consent.sender_key(Channel.EMAIL, None),
        source,
        detail=f"outbox {row.pk}",
    )


# RFC 8058: mail clients post the one-click unsubscribe without cookies or a CSRF token, so
# this URL cannot ask for one. The signed token in the URL is what authorises the request.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        row = _row(token)
    except _Refused as refused:
        return _page(request, refused.template, None, status=refused.status)
    if request.method == "POST":
        if request.POST.get("List-Unsubscribe") != ONE_CLICK:
            return HttpResponse(
                "expected the body List-Unsubscribe=One-Click (RFC 8058); "
                "to unsubscribe in a browser, open this link and use the button",
                status=400,
                content_type="text/plain",
            )
        _opt_out(row, "email:one-click")
        return HttpResponse("unsubscribed\n", content_type="text/plain")
    done = consent.opted_out(
        Channel.EMAIL, row.contact.address_hash, consent.sender_key(Channel.EMAIL, None)
    )
    return _page(
        request, "notify/unsubscribed.html" if done else "notify/unsubscribe.html", row, token
    )


@csrf_protect
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The button on the page: a person, in a browser, so the usual CSRF check applies.

    Then back to the page, which now confirms it (so reloading or switching the language
    never posts again). A GET here, from a history entry or a copied link, changes nothing.
    """
    try:
        row = _row(token)
    except _Refused as refused:
        return _page(request, refused.template, None, status=refused.status)
    if request.method == "POST":
        _opt_out(row, "email:unsubscribe-page")
    page_url = reverse("notify:email_unsubscribe", args=[token])
    return redirect(f"{page_url}?lang={_language(request, row)}")
