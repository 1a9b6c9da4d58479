"""Victim opt-in: a victim who was not the caller asks for updates with the case number and the
code on the officer's card, then proves the phone is theirs with a one-time code by SMS.

The card code is derived from the case (a keyed hash of the agency and case number), so an
officer or detective can read it off the console at any time and nothing needs storing; it
is 6 characters from an alphabet without look-alikes. The one-time code is 6 digits, valid for
OTP_MINUTES, with OTP_TRIES tries; the first form is rate limited per address (views.py), and
a wrong case number or card code gets the same answer as a missing case, so the form tells
no one which case numbers exist.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from porchlight.cases import updates
from porchlight.cases.contacts import phone_contact
from porchlight.cases.defaults import case_settings
from porchlight.cases.models import Case, OptIn, Victim
from porchlight.cases.open import language_of
from porchlight.notify import plan
from porchlight.notify.models import Trigger

CARD_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CARD_LENGTH = 6
OTP_MINUTES = 10
OTP_TRIES = 5


def card_code(case: Case) -> str:
    key = hashlib.sha256(f"porchlight-card:{settings.PII_KEY}".encode()).digest()
    digest = hmac.new(key, f"{case.agency_id}:{case.number}".encode(), hashlib.sha256).digest()
    return "".join(CARD_ALPHABET[b % len(CARD_ALPHABET)] for b in digest[:CARD_LENGTH])


def _normal_card(text: str) -> str:
    return "".join(c for c in text.upper() if c.isalnum())


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class Refused(ValueError):
    """Why the request cannot go on, in words for the person at the form."""


def find_case(agency: Any, number: str, code: str) -> Case | None:
    """The case when the number and card code match; None for any mismatch (one answer)."""
    case = Case.objects.filter(agency=agency, number__iexact=number.strip()).first()
    if case is None or not hmac.compare_digest(card_code(case), _normal_card(code)):
        return None
    return case


@dataclass
class Started:
    request: OptIn
    token: str


def start(case: Case, phone: str, language: str) -> Started:
    """Text a one-time code to `phone` for this case. Raises Refused for a phone that cannot
    take texts."""
    contact = phone_contact(case.agency, phone)
    if contact is None:
        raise Refused("not a phone number")
    token = secrets.token_urlsafe(12)
    code = f"{secrets.randbelow(10**6):06d}"
    lang = language_of(case.agency, language)
    with transaction.atomic():
        request = OptIn.objects.create(
            case=case,
            phone=contact,
            language=lang,
            token_hash=_hash(token),
            code_hash=_hash(f"{token}:{code}"),
            expires_at=timezone.now() + timedelta(minutes=OTP_MINUTES),
        )
        # Case settings (and so the case rules) exist: updates.send made them for the case.
        case_settings(case.agency)
        plan.message(
            case.agency,
            contact,
            Trigger.CASE_OPT_IN,
            dedupe=f"case:{case.pk}:optin:{request.pk}",
            context={"case_number": case.number, "code": code},
            language=lang,
        )
    return Started(request, token)


def pending(token: str) -> OptIn | None:
    if not token or len(token) > 64:
        return None
    return (
        OptIn.objects.select_related("case__agency", "phone")
        .filter(token_hash=_hash(token))
        .first()
    )


class Outcome:
    VERIFIED = "verified"
    WRONG = "wrong"
    LOCKED = "locked"
    EXPIRED = "expired"


def verify(request: OptIn, token: str, code: str) -> str:
    """Check the one-time code. VERIFIED makes the victim (and tells them the case number);
    WRONG counts a try; LOCKED after OTP_TRIES wrong codes; EXPIRED after OTP_MINUTES."""
    with transaction.atomic():
        # Counted under a row lock, so two guesses at once cannot both use the last try.
        request = OptIn.objects.select_for_update().get(pk=request.pk)
        if request.verified_at is not None:
            return Outcome.VERIFIED
        if request.tries >= OTP_TRIES:
            return Outcome.LOCKED
        if timezone.now() >= request.expires_at:
            return Outcome.EXPIRED
        given = "".join(c for c in code if c.isdigit())
        if not hmac.compare_digest(_hash(f"{token}:{given}"), request.code_hash):
            request.tries += 1
            request.save(update_fields=["tries"])
            return Outcome.LOCKED if request.tries >= OTP_TRIES else Outcome.WRONG
        request.verified_at = timezone.now()
        request.save(update_fields=["verified_at"])
        case = request.case
        victim = case.victims.filter(phone=request.phone).first()
        if victim is None:
            victim = Victim.objects.create(
                case=case, phone=request.phone, language=request.language, opted_in=True
            )
        else:
            victim.opted_in, victim.language = True, request.language
            victim.save(update_fields=["opted_in", "language"])
        updates.opened(case, [victim])
        return Outcome.VERIFIED
