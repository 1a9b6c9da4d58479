"""The words of each message: the row's rule's template, in the contact's language.

`compose()` is called by the worker at send time, after the exclusions are checked again, so a
text always says what is true when it leaves. The template comes from the row's rule (or, for
rows planned before rules existed, the agency's rule for the trigger, then the built-in
defaults in rules.py); the language is the contact's when there is a template in it, else the
agency's default, else English. Values are plain strings (templating.FIELDS): never a call
type, a name or an address. SMS bodies are normalised (gsm.py) so a pasted curly quote does
not double what the text costs, and accents outside GSM-7 are written plain when the agency
chose that and it saves a segment. Texts name the agency by its short name (Agency.sms_name);
the notice ("not monitored, call 911, reply STOP") is in the `notice` field only on the first
text about a call to a contact (docs/sms-compliance.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from porchlight.agencies.models import Agency, Disposition
from porchlight.calls.models import Call
from porchlight.notify import gsm, rules, templating
from porchlight.notify.models import (
    Accents,
    Channel,
    DeliverySettings,
    Outbox,
    Rule,
    State,
    Template,
    Trigger,
)

# Raw CAD dispositions in plain words, when the agency has not given its own (Dispositions).
DISPOSITIONS = {
    "RPT": gettext_lazy("An officer took a report."),
    "GOA": gettext_lazy("The officers did not find anyone there when they arrived."),
    "UTL": gettext_lazy("The officers were unable to locate the problem you reported."),
    "ADV": gettext_lazy("The officers gave advice at the scene."),
    "CIT": gettext_lazy("A citation was issued."),
    "ARR": gettext_lazy("An arrest was made."),
    "UNF": gettext_lazy("The officers found no sign of a crime."),
}


class CannotCompose(ValueError):
    """The row has no usable words: no template at all, or one that fails with these values.
    The reason is fit for the outbox row's `reason`."""


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


# --- values ---------------------------------------------------------------------------------


def _clock(at: datetime) -> str:
    # "2:14 PM" in English (Django's own "2:14 p.m." ends a sentence twice); the locale's clock
    # elsewhere ("14:14").
    if translation.get_language() == "en":
        return at.strftime("%-I:%M %p")
    return formats.time_format(at)


def notice_words() -> str:
    """The words the first text of a call and every answer to a reply carry, in the active
    language (docs/sms-compliance.md, "What callers are told")."""
    return _("Not monitored. Emergencies: 911. Reply STOP to opt out.")


def agency_values(agency: Agency, channel: str, *, first: bool = True) -> dict[str, str]:
    """The fields every message has, in the active language. `first`: this is the first text
    about its call to this contact (or a message that is not about a call), which carries the
    notice; later updates about the same call do not repeat it."""
    sms = channel == Channel.SMS
    return {
        # Texts use the agency's short name: every text names it, and each character counts.
        "agency": agency.text_name if sms else agency.name,
        "non_emergency_number": agency.non_emergency_number,
        # Texts say how to stop them; an email carries its own one-click unsubscribe link.
        "opt_out": _("Reply STOP to opt out.") if sms else "",
        "notice": notice_words() if sms and first else "",
    }


def call_values(
    call: Call, track_url: str | None, channel: str, *, first: bool = True
) -> dict[str, str]:
    """A call's fields, in the active language."""
    received = (call.received_at or call.first_event_at).astimezone(call.agency.tz)
    return {
        **agency_values(call.agency, channel, first=first),
        "incident_number": call.incident_number,
        "call_time": _clock(received),
        "call_date": formats.date_format(received, "SHORT_DATE_FORMAT"),
        "track_url": track_url or "",
        "disposition": disposition_wording(call),
        "report_number": call.report_number,
    }


# A tracking link as long as a production one: an https:// host of 30 characters and a token
# of 16 (calls.track.TOKEN_BYTES), so the preview's segment count is what callers will cost
# (used until SITE_URL is a real https:// address, whose own length is then counted).
SAMPLE_LINK_BASE = "https://updates.bakersfield-police.gov"
SAMPLE_TOKEN = "Xq3kT9vLm2Pw8RzY"


def sample_values(agency: Agency | None, channel: str = Channel.SMS) -> dict[str, str]:
    """Made-up values for every field, in the active language, for the preview and for checking
    a template before it is saved. Lengths like the real ones, so the segment count is honest;
    the notice is in, as on the first text of a call (the longest)."""
    tz = agency.tz if agency is not None else None
    received = datetime(2026, 11, 22, 14, 14, tzinfo=tz)
    # This site's own address once it has a real one; a development address is shorter than
    # any production one, so the sample stands in for it.
    site = settings.SITE_URL
    base = site if site.startswith("https://") else SAMPLE_LINK_BASE
    if agency is not None:
        name = agency.text_name if channel == Channel.SMS else agency.name
    else:
        name = _("Your Police Department")
    values = {
        "agency": name,
        "non_emergency_number": agency.non_emergency_number if agency is not None else "555-0100",
        "opt_out": _("Reply STOP to opt out.") if channel == Channel.SMS else "",
        "notice": notice_words() if channel == Channel.SMS else "",
        "incident_number": "26-001234",
        "call_time": _clock(received),
        "call_date": formats.date_format(received, "SHORT_DATE_FORMAT"),
        "track_url": f"{base}/t/{SAMPLE_TOKEN}",
        "disposition": str(DISPOSITIONS["GOA"]),
        "report_number": "R26-004321",
        "case_number": "26-004321",
        "case_status": _("A detective has been assigned to your case."),
        "survey_url": f"{base}/s/{SAMPLE_TOKEN}",
        "alert_title": _("Road closed"),
        "alert_text": _("Main Street is closed between 1st and 4th until 6 PM."),
        "alert_url": f"{base}/a/1234",
        "detective": _("Det. Maria Lopez"),
        "detective_phone": "661-555-0142",
        "detective_email": "mlopez@bakersfieldpd.us",
        "note": _("We recovered property that may be yours. Please call me."),
        "report_copy": _("Records, 1601 Truxtun Ave, fee $15.00"),
        "code": "482913",
        "copy_status": _("Your copy is ready to pick up."),
    }
    return values


# --- choosing the template ------------------------------------------------------------------


def _candidates(preferred: str, agency: Agency) -> list[str]:
    out: list[str] = []
    for code in (preferred, preferred.split("-")[0], agency.default_language, "en"):
        code = (code or "").lower()
        if code and code not in out:
            out.append(code)
    return out


def _pick(templates: Mapping[str, Any], candidates: Iterable[str]) -> str | None:
    for code in candidates:
        if code in templates:
            return code
    return None


def _rule_for(row: Outbox, agency: Agency, call: Call | None) -> int | None:
    """The rule a row planned before rules existed would have had: the agency's first enabled
    rule for its trigger and channel."""
    facts = rules.Facts(
        call_type=call.call_type.code if call is not None and call.call_type else None,
        priority=call.priority.code if call is not None and call.priority else None,
    )
    candidates = Rule.objects.filter(agency=agency, trigger=row.trigger, enabled=True)
    rule = rules.first_match(candidates, row.channel, facts)
    return rule.pk if rule is not None else None


# A rule's own templates by language: (subject, body).
RuleTemplates = dict[str, tuple[str, str]]


def templates_for(rule_ids: Iterable[int]) -> dict[int, RuleTemplates]:
    """The templates of these rules in one query (every rule asked for is a key, even one with
    none), for composing a batch of texts."""
    out: dict[int, RuleTemplates] = {pk: {} for pk in rule_ids}
    for t in Template.objects.filter(rule_id__in=list(out)).order_by("id"):
        out[t.rule_id][t.language.lower()] = (t.subject, t.body)
    return out


def words_for(
    row: Outbox,
    agency: Agency,
    call: Call | None,
    templates: Mapping[int, RuleTemplates] | None = None,
) -> tuple[str, str, str]:
    """(language, subject template, body template) for a row. `templates`: the rules'
    templates already read (templates_for); a rule not in it is read here."""
    candidates = _candidates(row.language, agency)
    rule_id = row.rule_id or _rule_for(row, agency, call)
    if rule_id is not None:
        if templates is not None and rule_id in templates:
            own = templates[rule_id]
        else:
            own = templates_for([rule_id])[rule_id]
        code = _pick(own, candidates) or next(iter(own), None)
        if code is not None:
            return (code, *own[code])
    default = rules.DEFAULT_BY_TRIGGER.get(row.trigger)
    if default is not None:
        code = _pick(default.templates, candidates) or "en"
        return (code, *default.templates[code])
    raise CannotCompose(f"no template for {row.trigger}")


# --- composing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Composed:
    """A message's words, ready for a channel: SMS uses `body`; email all three."""

    body: str
    subject: str = ""
    html: str = ""


def is_first(row: Outbox) -> bool:
    """Whether this row is the first text about its call to its contact: no other row for the
    same contact, call and channel has gone. A message not about a call always counts as
    first. Two rows of one call sending at the same instant may both count: then both carry
    the notice, which errs on the side the carriers ask for."""
    if row.call_id is None:
        return True
    return not (
        Outbox.objects.filter(
            contact_id=row.contact_id,
            call_id=row.call_id,
            channel=row.channel,
            state__in=(State.SENT, State.DELIVERED),
        )
        .exclude(pk=row.pk)
        .exists()
    )


def first_texts(rows: Sequence[Outbox]) -> Callable[[Outbox], bool]:
    """is_first() for a wave of rows, asked of the database once, the first time a row needs
    it (one query for the wave instead of one per text: 16 % of a worker's CPU, measured)."""
    sent: dict[tuple[int, int, str], set[int]] | None = None
    wave = {r.pk for r in rows}

    def first(row: Outbox) -> bool:
        nonlocal sent
        if row.call_id is None:
            return True
        if row.pk not in wave:
            return is_first(row)  # not of this wave: asked on its own
        if sent is None:
            sent = {}
            calls = {r.call_id for r in rows if r.call_id is not None}
            for pk, contact_id, call_id, channel in Outbox.objects.filter(
                call_id__in=calls, state__in=(State.SENT, State.DELIVERED)
            ).values_list("pk", "contact_id", "call_id", "channel"):
                sent.setdefault((contact_id, call_id, channel), set()).add(pk)
        return not (sent.get((row.contact_id, row.call_id, row.channel), set()) - {row.pk})

    return first


def as_sent(text: str, agency_id: int, keep_accents: bool | None = None) -> str:
    """An SMS body as it leaves: normalised (gsm.py), and with plain letters for accents when
    the agency chose that and it saves a segment."""
    if keep_accents is None:
        keep_accents = DeliverySettings.for_agency(agency_id).accents == Accents.KEEP
    return gsm.cheapest(text, keep_accents=keep_accents)


def compose(
    row: Outbox,
    call: Call | None,
    track_url: str | None,
    *,
    keep_accents: bool | None = None,
    templates: Mapping[int, RuleTemplates] | None = None,
    first_of: Callable[[Outbox], bool] | None = None,
) -> Composed:
    """The words for one outbox row, rendered at send time.

    `call` is the row's call (None for messages that are not about one: their fields travel in
    the row's context). `keep_accents` is the agency's choice (DeliverySettings.accents; read
    when not given); `templates` the rules' templates, when the caller read them for a batch;
    `first_of` is_first() for the batch (first_texts()), else asked per row.
    Raises CannotCompose when there are no usable words.
    """
    agency = call.agency if call is not None else row.agency
    language, subject, body = words_for(row, agency, call, templates)
    # Asked only when the words use the notice (one query). A "call received" text is a
    # call's first by construction: the updates after it wait for the merge window.
    first = (
        row.channel != Channel.SMS
        or "notice" not in body
        or row.trigger == Trigger.RECEIVED
        or (first_of or is_first)(row)
    )
    with translation.override(language):
        values = (
            call_values(call, track_url, row.channel, first=first)
            if call is not None
            else agency_values(agency, row.channel)
        )
        # A later app's own fields (a survey link, a case status), checked when planned.
        values.update({k: str(v) for k, v in (row.context or {}).items() if k not in values})
        try:
            text = templating.render(body, row.trigger, values)
            title = templating.render(subject, row.trigger, values) if subject.strip() else ""
        except templating.TemplateProblem as exc:
            raise CannotCompose(f"template ({language}) failed: {exc}"[:200]) from exc
    if not text:
        raise CannotCompose(f"template ({language}) rendered an empty text")
    if row.channel == Channel.SMS:
        text = as_sent(text, agency.pk, keep_accents)
    return Composed(body=text, subject=title or agency.name)
