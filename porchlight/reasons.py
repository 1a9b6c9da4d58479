"""Reasons, in the reader's language: why a message was not sent, why a CAD event was held.

The stored reason is a stable code in plain English ("sensitive call type", "quiet hours: held
until 07:00", 'unknown status "ZZ": map it under Status codes, then replay this event'): the
API, exports, /metrics and integrators' scripts read it, so it never changes with the language.
Staff pages show it through this module instead: each known code, with its parameters, maps to a
sentence translated into the page's language. A text nobody registered (a provider's own error
message, a reason typed by staff) is shown as it is.

In templates: `{% load reasons %}` then `{{ row.reason|outbox_reason }}` (outbox rows, consent
marks) or `{{ item.reason|event_reason }}` (the quarantine). In Python: `describe(text)` and
`describe_event(text)`.

Every reason the code can write must be registered here with its translation:
porchlight/tests/test_reasons.py reads the product code for reasons written from literals and
fails on one that matches nothing below, or on an entry without Spanish.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django import template
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass
class Reason:
    """A stored reason: its code (a literal, or a pattern with {name} fields) and its sentence
    (with %(name)s for the same fields)."""

    code: str
    sentence: Promise
    pattern: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        parts = re.split(r"\{(\w+)\}", self.code)
        regex = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
        )
        self.pattern = re.compile(f"^{regex}$", re.DOTALL)

    def describe(self, text: str) -> str | None:
        found = self.pattern.match(text)
        if found is None:
            return None
        values = {name: term(value) for name, value in found.groupdict().items()}
        return str(self.sentence) % values


# Single words the code stores, alone or inside a reason: what the provider said about a
# message or an address (channels/sms.py ERRORS, channels/email.py), and the marks on contacts.
TERMS: dict[str, Promise] = {
    # The recipient.
    "invalid_number": _("the number does not exist"),
    "opted_out": _("the number replied STOP"),
    "not_mobile": _("the number cannot receive texts"),
    "unknown_destination": _("the carrier does not know the number"),
    "landline": _("the number is a landline"),
    "invalid_address": _("the email address is not valid"),
    "hard_bounce": _("the email address does not exist"),
    "complaint": _("the person reported our email as spam"),
    "suppressed_by_provider": _("the email provider will not send to this address"),
    "mailbox_full": _("the mailbox is full"),
    # This message.
    "region_not_enabled": _("texts to this country are not enabled"),
    "empty_body": _("the text was empty"),
    "unroutable": _("the carrier cannot route the text"),
    "body_too_long": _("the text is too long"),
    "unreachable": _("the phone is off or out of coverage"),
    "carrier_filtered": _("the carrier filtered the text"),
    "rejected_by_mail_server": _("the mail server refused the message"),
    "rejected_by_email_provider": _("the email provider refused the message"),
    "email_provider_error": _("the email provider had an error"),
    # Our configuration.
    "authentication_failed": _("the SMS account's credentials were refused"),
    "account_not_found": _("the SMS account was not found"),
    "sender_missing": _("no sending number is configured"),
    "sender_not_sms_capable": _("the sending number cannot send texts"),
    "sender_invalid": _("the sending number is not valid"),
    "smtp_authentication_failed": _("the mail server refused our credentials"),
    "smtp_unavailable": _("the mail server is unavailable"),
    "smtp_tls_failed": _("a secure connection to the mail server failed"),
    "sender_refused": _("the mail server refused our sending address"),
    "smtp_temporary_failure": _("the mail server failed for now"),
    # The provider itself.
    "rate_limited": _("the provider asked us to slow down"),
    "provider_error": _("the provider had an error"),
    "provider_unavailable": _("the provider is unavailable"),
    "unknown_delivery_error": _("the provider could not say why delivery failed"),
}


def term(word: str) -> str:
    """A stored word in the reader's language, or the word itself when it is not known."""
    known = TERMS.get(word)
    return str(known) if known is not None else word


# Why a message was not sent (Outbox.reason), in the order the code checks them.
OUTBOX: list[Reason] = [
    # Planning and the send-time gate (notify/plan.py exclusion(), notify/worker.py).
    Reason(
        "no call type yet: unmapped calls are not texted",
        _("The call has no call type yet: calls that are not mapped are not texted."),
    ),
    Reason("call type {code} is not mapped yet", _("Call type %(code)s is not mapped yet.")),
    Reason("sensitive call type", _("Sensitive call type.")),
    # notify/worker.py: updates folded into the call's latest (MERGED_REASON), and rows the
    # provider could not answer about (HELD), never re-sent on a guess.
    Reason("merged into a later update", _("Merged into a later update of the same call.")),
    Reason(
        "held: the provider could not say whether it was sent",
        _("Held: the provider could not say whether it was sent; asked again later."),
    ),
    Reason("juvenile involved", _("A juvenile is involved.")),
    Reason("caller asked not to be contacted", _("The caller asked not to be contacted.")),
    Reason(
        "dispatched before the delay notice was due",
        _("Dispatched before the delay notice was due."),
    ),
    Reason("stopped by staff", _("Stopped by staff.")),
    Reason("agency paused non-urgent messages", _("The agency paused non-urgent messages.")),
    Reason(
        "stale: not sent within its validity period",
        _("Too late: not sent within its validity period."),
    ),
    Reason("contact purged", _("The contact's details were purged.")),
    Reason("undeliverable: {mark}", _("Cannot be delivered: %(mark)s.")),
    Reason("no {channel} channel configured", _("No %(channel)s channel is configured.")),
    Reason("opted out (STOP)", _("The person opted out (STOP).")),
    Reason("unsubscribed", _("The person unsubscribed.")),
    Reason("quiet hours: held until {time}", _("Quiet hours: held until %(time)s.")),
    Reason(
        "per-recipient cap reached",
        _("This person already got as many messages as the cap allows."),
    ),
    Reason(
        "landline and no email address",
        _("The number is a landline and there is no email address."),
    ),
    Reason(
        "landline: sent by email instead", _("The number is a landline: sent by email instead.")
    ),
    # Composing the words (notify/texts.py).
    Reason("no template for {trigger}", _("No template for %(trigger)s.")),
    Reason(
        "template ({language}) failed: {error}", _("The template (%(language)s) failed: %(error)s")
    ),
    Reason(
        "template ({language}) rendered an empty text",
        _("The template (%(language)s) produced an empty text."),
    ),
    # The provider's answer (notify/channels/, webhooks).
    Reason("provider not reached in time", _("The provider was not reached in time.")),
    Reason("no answer in time", _("The provider did not answer in time.")),
    Reason("provider not reachable", _("The provider could not be reached.")),
    Reason("mail server not reached in time", _("The mail server was not reached in time.")),
    Reason("mail server not reachable", _("The mail server could not be reached.")),
    Reason("no answer after the message", _("The mail server did not answer after the message.")),
    Reason(
        "mail server hung up before the message", _("The mail server hung up before the message.")
    ),
    Reason("no answer from the email provider", _("The email provider did not answer in time.")),
    Reason("email provider not reachable", _("The email provider could not be reached.")),
    Reason("outbox {id} does not exist", _("Message %(id)s does not exist.")),
    Reason("lookup: {problem}", _("Line type lookup: %(problem)s")),
    Reason("http_{status}", _("The provider answered HTTP %(status)s.")),
    Reason("twilio_{code}", _("Twilio error %(code)s.")),
    Reason(
        "provider reported {status} ({code})", _("The provider reported %(status)s (%(code)s).")
    ),
    Reason(
        "hard bounce reported by the email provider",
        _("The email provider reported a hard bounce."),
    ),
    Reason("refused by the email provider ({why})", _("Refused by the email provider (%(why)s).")),
    Reason("the email provider could not send it", _("The email provider could not send it.")),
    # Web push (notify/channels/push.py) and agency alerts (alerts/fanout.py).
    Reason("not a push subscription", _("The device's push subscription is not valid.")),
    Reason("subscription gone", _("The device no longer accepts push notifications.")),
    Reason("payload too large", _("The notification was too large for the push service.")),
    Reason("push service refused: {error}", _("The push service refused it: %(error)s")),
    Reason(
        "push service unreachable: {error}", _("The push service could not be reached: %(error)s")
    ),
    Reason("push service timed out", _("The push service did not answer in time.")),
    Reason("push service: {error}", _("The push service had an error: %(error)s")),
    Reason("alert withdrawn", _("The alert was withdrawn before it was sent.")),
    Reason(
        "resident account deleted",
        _("The resident deleted their account before the alert was sent."),
    ),
]

# Why a CAD event is in the quarantine (Quarantine.reason; calls/intake.py).
EVENTS: list[Reason] = [
    Reason("an event must be a JSON object", _("An event must be a JSON object.")),
    Reason("already received; not applied again", _("Already received; not applied again.")),
    Reason(
        "ORI {ori} is not covered by this key", _("ORI %(ori)s is not covered by this API key.")
    ),
    Reason(
        'unknown status "{code}": map it under Status codes, then replay this event',
        _('Unknown status "%(code)s": map it under Status codes, then replay this event.'),
    ),
    Reason(
        "this event id was received before with different content; the first version stands",
        _("This event id was received before with different content; the first version stands."),
    ),
]
# What pydantic says is wrong with an event ("event_time: Field required; …"): field names and
# pydantic's words are the integrator's to read, so only the frame is translated. Tried last.
INVALID = Reason("{details}", _("The event is not valid: %(details)s"))


def describe(text: str) -> str:
    """Why a message was not sent, in the active language."""
    if not text:
        return text
    if text in TERMS:
        word = str(TERMS[text])
        return word[:1].upper() + word[1:] + "."
    for reason in OUTBOX:
        said = reason.describe(text)
        if said is not None:
            return said
    return text


def describe_event(text: str) -> str:
    """Why a CAD event was held, in the active language."""
    if not text:
        return text
    for reason in EVENTS:
        said = reason.describe(text)
        if said is not None:
            return said
    if re.match(r"^[\w.\[\]-]+: ", text):
        return INVALID.describe(text) or text
    return text


def all_reasons() -> list[Reason]:
    return [*OUTBOX, *EVENTS, INVALID]


register = template.Library()


@register.filter
def outbox_reason(text: Any) -> str:
    return describe(str(text or ""))


@register.filter
def event_reason(text: Any) -> str:
    return describe_event(str(text or ""))
