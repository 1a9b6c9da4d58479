"""Texts people send to our numbers: consent keywords, HELP, and everything else.

Twilio posts each one to the inbound webhook (views.sms_inbound), which calls `handle()`. It
decides what the text is, applies its consent keyword through `consent` (the one writer of
opt-outs), logs it as an Inbound row with the body encrypted, and returns what to answer.

- A keyword is the whole message, read forgivingly: case, accents, spaces and punctuation do
  not count ("Stop.", " ¡alto! ", "S T O P"), but "please don't stop" is a reply.
- An opt-out word also counts as the message's first word ("unsubscribe please", "Stop
  texting me", "arrêt!"): people add words to STOP, and an opt-out must not be missed. Opt-in
  and help words count only alone ("yes, he is still here" is a reply).
- Opt-outs and opt-ins apply to the sending number the text went to (consent.sender_key of
  the Sender matched by MessagingServiceSid or To; the configured default sender; or, for a
  number we do not know, that number itself).
- Every other text gets "<agency>: this number is not monitored. In an emergency call 911; …
  Reply STOP to opt out." at once:
  people text emergencies back.

Which answers we send (docs/sms-compliance.md): Twilio, and on toll-free the carrier, answer
the standard English STOP and START words themselves on long codes, toll-free numbers and
messaging services, so we stay silent for those; we answer them on short codes (Twilio does
not), and we answer the Spanish words (nobody else knows them) and every HELP (Twilio's own
HELP text cannot name the agency or its non-emergency number). When Twilio says it already
answered a keyword (OptOutType, from a messaging service's Advanced Opt-Out), we stay silent.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from porchlight.agencies.models import Agency
from porchlight.calls.models import Call
from porchlight.notify import consent, gsm, pii
from porchlight.notify.models import (
    Accents,
    Channel,
    Contact,
    DeliverySettings,
    Inbound,
    Outbox,
    Sender,
)

Kind = Inbound.Kind

# The words, normalised (see `normalise`): this is the one table of keywords, documented in
# docs/sms-compliance.md ("Keywords"). English first: Twilio's own lists for long codes.
STOP_EN = ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE")
STOP_ES = ("PARAR", "ALTO", "DETENER", "CANCELAR", "BAJA")
# Canadian French (ARRÊT): carriers there require it beside STOP.
STOP_FR = ("ARRET",)
START_EN = ("START", "UNSTOP", "YES")
START_ES = ("COMENZAR", "INICIAR")
HELP_EN = ("HELP", "INFO")
HELP_ES = ("AYUDA",)

KEYWORDS: dict[str, tuple[str, str]] = {
    **{word: (Kind.STOP, "en") for word in STOP_EN},
    **{word: (Kind.STOP, "es") for word in STOP_ES},
    **{word: (Kind.STOP, "fr") for word in STOP_FR},
    **{word: (Kind.START, "en") for word in START_EN},
    **{word: (Kind.START, "es") for word in START_ES},
    **{word: (Kind.HELP, "en") for word in HELP_EN},
    **{word: (Kind.HELP, "es") for word in HELP_ES},
}
# Twilio (and the carrier, on toll-free) confirms these itself, except on short codes.
ANSWERED_BY_TWILIO = frozenset(STOP_EN + START_EN)
# Advanced Opt-Out's OptOutType, for keywords an operator added in Twilio's console.
OPT_OUT_TYPES = {"STOP": Kind.STOP, "START": Kind.START, "HELP": Kind.HELP}


def normalise(body: str) -> str:
    """The message as a keyword candidate: letters and digits only, accents dropped, upper."""
    decomposed = unicodedata.normalize("NFKD", body)
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum()).upper()


# Where one word ends and the next begins: spaces and sentence punctuation. Hyphens and
# apostrophes stay inside a word ("opt-out" is OPTOUT, "don't" is not "don").
_WORD_BREAK = re.compile(r"[\s,;:.!?¡¿()\[\]\"“”]+")


@dataclass(frozen=True)
class Keyword:
    word: str  # normalised, e.g. "STOP" or "PARAR"
    kind: str  # Inbound.Kind
    language: str  # the language the word is in
    alone: bool = True  # the whole message, not only its first word


def first_word(body: str) -> str:
    """The message's first word, normalised ("" when it has none)."""
    for token in _WORD_BREAK.split(body):
        word = normalise(token)
        if word:
            return word
    return ""


def keyword(body: str) -> Keyword | None:
    word = normalise(body)
    found = KEYWORDS.get(word)
    if found:
        return Keyword(word, *found)
    first = first_word(body)
    found = KEYWORDS.get(first)
    if found and found[0] == Kind.STOP:
        return Keyword(first, *found, alone=False)
    return None


@dataclass(frozen=True)
class Text:
    """One inbound SMS, as Twilio's webhook names it."""

    sid: str  # MessageSid
    from_: str
    to: str
    body: str
    service_sid: str = ""  # MessagingServiceSid, when the number is in a messaging service
    opt_out_type: str = ""  # OptOutType: Twilio's Advanced Opt-Out answered a keyword


@dataclass(frozen=True)
class Route:
    """Where a text went: what its consent keywords apply to, and whose number it is."""

    key: str  # the sender an opt-out is recorded against
    agency: Agency | None
    sender: Sender | None


def handle(text: Text) -> str:
    """Log the text, apply its keyword, and return the answer to send ("" for none).

    Idempotent on the message SID: Twilio retries a webhook that timed out, and a retry gets
    the first answer again without a second log entry or consent change.
    """
    seen = Inbound.objects.filter(provider_id=text.sid).first()
    if seen is not None:
        return seen.answer
    number = pii.normalize_phone(text.from_) or text.from_.strip()
    address_hash = pii.lookup_hash(number)
    route = _route(text, address_hash)
    contact = None
    if route.agency is not None:
        contact = Contact.objects.filter(
            agency=route.agency, channel=Channel.SMS, address_hash=address_hash
        ).first()
    found = keyword(text.body)
    kind = found.kind if found else Kind.REPLY
    if text.opt_out_type.upper() in OPT_OUT_TYPES:
        kind = OPT_OUT_TYPES[text.opt_out_type.upper()]
    answer = _answer(text, kind, found, route, contact)
    if answer:
        # Sent as a text like any other: accents written plain when that saves a segment,
        # unless the agency keeps them (DeliverySettings.accents; the default without one).
        policy = DeliverySettings.for_agency(route.agency.pk) if route.agency else None
        keep = policy is not None and policy.accents == Accents.KEEP
        answer = gsm.cheapest(answer, keep_accents=keep)
    try:
        with transaction.atomic():
            Inbound.objects.create(
                agency=route.agency,
                contact=contact,
                sender=(text.to or text.service_sid)[:64],
                address_hash=address_hash,
                address_enc=pii.encrypt(number),
                body_enc=pii.encrypt(text.body),
                kind=kind,
                provider_id=text.sid,
                answer=answer,
            )
            source = f"sms:{found.word if found else text.opt_out_type.upper()}"[:40]
            detail = f"inbound {text.sid}"
            if kind == Kind.STOP:
                consent.opt_out(Channel.SMS, address_hash, route.key, source, detail)
            elif kind == Kind.START:
                consent.opt_in(Channel.SMS, address_hash, route.key, source, detail)
    except IntegrityError:
        # The same message, handled by a concurrent retry: its answer stands.
        return Inbound.objects.get(provider_id=text.sid).answer
    return answer


def _route(text: Text, address_hash: str) -> Route:
    candidates: list[Sender] = []
    if text.service_sid:
        candidates = list(
            Sender.objects.filter(messaging_service_sid=text.service_sid)
            .select_related("agency")
            .order_by("id")
        )
    if not candidates and text.to:
        candidates = list(
            Sender.objects.filter(phone_number=text.to).select_related("agency").order_by("id")
        )
    if candidates:
        sender = _likeliest(candidates, address_hash)
        return Route(consent.sender_key(Channel.SMS, sender), sender.agency, sender)
    default = (text.service_sid and text.service_sid == settings.TWILIO_MESSAGING_SERVICE_SID) or (
        text.to and text.to == settings.TWILIO_FROM_NUMBER
    )
    if default:
        return Route(consent.sender_key(Channel.SMS, None), _default_agency(address_hash), None)
    # A number we do not know (moved to another deployment, or misconfigured): a STOP still
    # holds, keyed by the number they texted.
    return Route(text.to or text.service_sid, None, None)


def _likeliest(candidates: list[Sender], address_hash: str) -> Sender:
    """Agencies sharing a number (consolidated dispatch): the one that knows this person."""
    if len(candidates) > 1:
        knows = set(
            Contact.objects.filter(
                channel=Channel.SMS,
                address_hash=address_hash,
                agency_id__in=[s.agency_id for s in candidates],
            ).values_list("agency_id", flat=True)
        )
        for sender in candidates:
            if sender.agency_id in knows:
                return sender
    return candidates[0]


def _default_agency(address_hash: str) -> Agency | None:
    """Whose text this replies to, when it came to the configured default sender: the agency
    that last texted the number from it; else the only agency that knows the number; else the
    only agency there is."""
    last = (
        Outbox.objects.filter(
            channel=Channel.SMS,
            sender__isnull=True,
            contact__address_hash=address_hash,
            sent_at__isnull=False,
        )
        .select_related("agency")
        .order_by("-sent_at")
        .first()
    )
    if last is not None:
        return last.agency
    knowing = list(
        Agency.objects.filter(
            contacts__channel=Channel.SMS, contacts__address_hash=address_hash
        ).distinct()[:2]
    )
    if len(knowing) == 1:
        return knowing[0]
    only = list(Agency.objects.all()[:2])
    return only[0] if len(only) == 1 else None


def _language(agency: Agency, contact: Contact | None) -> str:
    """The language of the contact's latest call, else the agency's default."""
    preferred = ""
    if contact is not None:
        latest = (
            Call.objects.filter(caller_phone=contact)
            .exclude(caller_language="")
            .order_by("-first_event_at")
            .values_list("caller_language", flat=True)
            .first()
        )
        preferred = latest or ""
    codes = {code for code, _name in settings.LANGUAGES}
    for candidate in (preferred, preferred.split("-")[0], agency.default_language):
        if candidate in codes:
            return candidate
    return settings.LANGUAGE_CODE


def _answer(
    text: Text, kind: str, found: Keyword | None, route: Route, contact: Contact | None
) -> str:
    if kind != Kind.REPLY:
        if text.opt_out_type:
            return ""  # Twilio's Advanced Opt-Out already answered it
        short_code = route.sender is not None and route.sender.profile == Sender.Profile.SHORT_CODE
        # Twilio acts only on a keyword sent alone; "stop please" is ours to confirm.
        answered = found is not None and found.alone and found.word in ANSWERED_BY_TWILIO
        if answered and not short_code:
            return ""
    agency = route.agency
    if agency is None:
        # Whose number this is, and so the caller's language, is unknown: a Spanish keyword
        # gets Spanish, a reply both languages.
        if kind == Kind.REPLY:
            return " ".join(_generic(kind, language) for language in ("en", "es"))
        return _generic(kind, found.language if found else "en")
    # Spanish keywords get Spanish; English ones are the universal words printed in every
    # text, so they get the caller's own language, and so do words in a language we have no
    # texts in (ARRÊT).
    spoken = {code for code, _name in settings.LANGUAGES} - {"en"}
    language = found.language if found and found.language in spoken else _language(agency, contact)
    with translation.override(language):
        return _for_agency(agency, kind)


def _for_agency(agency: Agency, kind: str) -> str:
    # Texts name the agency by its short name (Agency.sms_name), as the updates do.
    names = {"agency": agency.text_name, "number": agency.non_emergency_number}
    if kind == Kind.STOP:
        return (
            _(
                "%(agency)s: you will get no more texts from this number. Reply START to get them again."
            )
            % names
        )
    if kind == Kind.START:
        return (
            _("%(agency)s: you will get texts about your calls again. Reply STOP to opt out.")
            % names
        )
    if kind == Kind.HELP:
        return (
            _(
                "%(agency)s: texts about your call. Not monitored. In an emergency call 911; otherwise call %(number)s. Reply STOP to opt out."
            )
            % names
        )
    # Every answer to a reply carries the whole notice, agency, 911 and STOP included
    # (docs/sms-compliance.md): the caller is writing to us, so it is when they need it.
    return (
        _(
            "%(agency)s: this number is not monitored. In an emergency call 911; otherwise call %(number)s. Reply STOP to opt out."
        )
        % names
    )


def _generic(kind: str, language: str) -> str:
    """The answer without an agency: no name, no non-emergency number."""
    with translation.override(language):
        if kind == Kind.STOP:
            return _("You will get no more texts from this number. Reply START to get them again.")
        if kind == Kind.START:
            return _("You will get texts from this number again. Reply STOP to opt out.")
        if kind == Kind.HELP:
            return _(
                "Texts about calls to the police. Not monitored. In an emergency call 911. Reply STOP to opt out."
            )
        return _("This number is not monitored. In an emergency call 911. Reply STOP to opt out.")
