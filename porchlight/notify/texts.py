"""The words of each message, in the contact's language.

Fixed wording for now; the rules engine (next issue) makes it configurable per agency with
sandboxed templates. Messages never name a suspect, a victim or the call type: the caller
knows what they called about, and a text can be read by whoever holds the phone.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from porchlight.agencies.models import Disposition
from porchlight.calls.models import Call
from porchlight.notify.models import Outbox, Trigger

# Raw CAD dispositions in plain words. An agency's own wording comes with the rules engine.
DISPOSITIONS = {
    "RPT": gettext_lazy("An officer took a report."),
    "GOA": gettext_lazy("The officers did not find anyone there when they arrived."),
    "UTL": gettext_lazy("The officers were unable to locate the problem you reported."),
    "ADV": gettext_lazy("The officers gave advice at the scene."),
    "CIT": gettext_lazy("A citation was issued."),
    "ARR": gettext_lazy("An arrest was made."),
    "UNF": gettext_lazy("The officers found no sign of a crime."),
}


def disposition_wording(call: Call) -> str:
    """The public words for the call's disposition, in the active language; "" if none.

    The agency's own wording first (agencies.Disposition), then Porchlight's defaults. Raw
    codes are never shown to callers.
    """
    code = call.disposition.strip().upper()
    if not code:
        return ""
    own = Disposition.objects.filter(agency_id=call.agency_id, code=code).first()
    if own is not None:
        language = translation.get_language() or settings.LANGUAGE_CODE
        words = own.wording.get(language) or own.wording.get(language.split("-")[0])
        if words:
            return words
    default = DISPOSITIONS.get(code)
    return str(default) if default else ""


def language_for(call: Call, preferred: str) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    for candidate in (preferred, preferred.split("-")[0], call.agency.default_language):
        if candidate in codes:
            return candidate
    return settings.LANGUAGE_CODE


def render(trigger: str, call: Call, language: str, track_url: str | None) -> str:
    agency = call.agency
    with translation.override(language_for(call, language)):
        received = (call.received_at or call.first_event_at).astimezone(agency.tz)
        # "2:14 PM" in English (Django's own "2:14 p.m." ends a sentence twice); the locale's
        # clock elsewhere ("14:14").
        at = (
            received.strftime("%-I:%M %p")
            if translation.get_language() == "en"
            else formats.time_format(received)
        )
        track = (" " + _("Track: %(url)s") % {"url": track_url}) if track_url else ""
        footer = _("Not monitored; in an emergency call 911. Reply STOP to opt out.")
        values = {
            "agency": agency.name,
            "number": call.incident_number,
            "time": at,
            "phone": agency.non_emergency_number,
        }
        if trigger == Trigger.RECEIVED:
            head = _("%(agency)s: we received your call at %(time)s. Incident %(number)s.") % values
        elif trigger == Trigger.DELAYED:
            head = (
                _(
                    "%(agency)s: officers are still busy on other calls. Your call %(number)s is "
                    "waiting for the next available officer."
                )
                % values
            )
        elif trigger == Trigger.CLEARED:
            outcome = disposition_wording(call)
            head = _("%(agency)s: officers have finished at your call %(number)s.") % values
            if outcome:
                head += " " + outcome
            head += " " + _("Questions: %(phone)s.") % values
        else:
            raise ValueError(f"no text for trigger {trigger}")
        return f"{head}{track}\n{footer}"


@dataclass(frozen=True)
class Composed:
    """A message's words, ready for a channel: SMS uses `body`; email all three."""

    body: str
    subject: str = ""
    html: str = ""


def compose(row: Outbox, call: Call, track_url: str | None) -> Composed:
    """The words for one outbox row, rendered at send time."""
    return Composed(body=render(row.trigger, call, row.language, track_url))
