"""Console: the texts people sent to our numbers, and the consent log.

Replies are nobody's inbox: each already got the automatic "not monitored, call 911" answer.
Staff read them here to spot what needs a human (someone asking for help, a complaint) and to
see why a number stopped getting texts. Numbers are masked. The bodies are personal data, so
every page that shows them is one audit entry naming the rows shown.

Scope: an agency sees the texts sent to its own numbers, and the consent changes that affect
its messages (its contacts, from its senders, the default sender, or any sender for a mark);
platform superusers see everything.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from porchlight.agencies import console
from porchlight.agencies.models import Agency
from porchlight.agencies.permissions import Cap, requires
from porchlight.agencies.staff import agency_scope
from porchlight.audit.log import record
from porchlight.notify import consent, pii
from porchlight.notify.models import Channel, ConsentChange, Contact, Inbound, Sender

PAGE_SIZE = 50


class RepliesFilter(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of text"),
        choices=[("", gettext_lazy("Any kind")), *Inbound.Kind.choices],
        required=False,
    )
    action = forms.ChoiceField(
        label=gettext_lazy("Consent change"),
        choices=[("", gettext_lazy("Any change")), *ConsentChange.Action.choices],
        required=False,
    )


@require_GET
@requires(Cap.CONSOLE)
def replies(request: HttpRequest) -> HttpResponse:
    form = RepliesFilter(request.GET or None)
    if form.is_bound and not form.is_valid():
        context = {"form": form, "section": "replies", "texts": None, "changes": None}
        return console.page(request, "console/replies.html", context, status=400)
    kind = form.cleaned_data["kind"] if form.is_bound else ""
    action = form.cleaned_data["action"] if form.is_bound else ""
    scope = agency_scope(request)

    texts = console.scoped(request, Inbound.objects.select_related("agency", "contact"))
    if kind:
        texts = texts.filter(kind=kind)
    texts_page = Paginator(texts, PAGE_SIZE).get_page(request.GET.get("page"))
    for text in texts_page.object_list:
        text.masked = pii.mask(text.address or (text.contact.address if text.contact else None))
        text.tz = text.agency.time_zone if text.agency else (scope.time_zone if scope else "UTC")
    shown = [text.pk for text in texts_page.object_list]
    if shown:
        record(
            "notify.inbound.read",
            request=request,
            agency=scope,
            changes={"inbound": shown, "kind": kind},
        )

    changes = _consent_log(scope)
    if action:
        changes = changes.filter(action=action)
    changes_page = Paginator(changes, PAGE_SIZE).get_page(request.GET.get("cpage"))
    masks = _masks(scope, [change.address_hash for change in changes_page.object_list])
    for change in changes_page.object_list:
        change.masked = masks.get(change.address_hash, "")  # type: ignore[attr-defined]

    context = {
        "form": form,
        "section": "replies",
        "texts": texts_page,
        "changes": changes_page,
        "tz": scope.time_zone if scope else "UTC",
        "query": {k: v for k, v in request.GET.items() if k not in ("page", "cpage")},
    }
    return console.page(request, "console/replies.html", context)


def _consent_log(scope: Agency | None) -> QuerySet[ConsentChange]:
    """The consent changes that affect an agency's messages: about its contacts, from a sender
    its texts or emails go from (or none: a mark applies to every sender)."""
    log = ConsentChange.objects.all()
    if scope is None:
        return log
    senders = {consent.sender_key(Channel.SMS, s) for s in Sender.objects.filter(agency=scope)}
    senders |= {
        consent.sender_key(Channel.SMS, None),
        consent.sender_key(Channel.EMAIL, None),
        "",
    }
    known = Contact.objects.filter(agency=scope).values("address_hash")
    return log.filter(address_hash__in=known, sender__in=senders)


def _masks(scope: Agency | None, hashes: list[str]) -> dict[str, str]:
    """The masked address behind each lookup hash, from the scope's contacts."""
    contacts: Any = Contact.objects.filter(address_hash__in=set(hashes))
    if scope is not None:
        contacts = contacts.filter(agency=scope)
    return {contact.address_hash: pii.mask(contact.address) for contact in contacts}
