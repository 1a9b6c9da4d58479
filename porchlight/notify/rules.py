"""Message rules: which update goes to whom, on which channel, in what words.

Every agency starts with `DEFAULTS` (installed by `install_defaults` when the agency is made, and
by a data migration for agencies that existed before rules): the first text, the delay notice,
dispatched, cleared and report taken on; en route and on scene off, because the phone that
called may be in the hands of the person the caller called about. Admins change the words,
switch rules on and off and narrow them by call type, priority or feed in the admin.

Matching (`RuleBook.match`, `first_match`): the enabled rules for the trigger that send on the
channel and whose conditions hold, first by position. A disabled rule is as if it were not
there. Empty condition lists mean "any"; codes compare without regard to case.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Subquery

from porchlight.notify.models import (
    Channel,
    DeliverySettings,
    Rule,
    Sender,
    Template,
    Trigger,
)


@dataclass(frozen=True)
class Default:
    trigger: str
    name: str
    enabled: bool
    position: int
    # A call update is worth little late: past this the worker drops it with a reason.
    valid_minutes: int
    templates: dict[str, tuple[str, str]]  # language → (email subject, body)


# The built-in words, written for cost: carriers bill each 160-character segment (70 when one
# letter is outside GSM-7), so each text fits one segment with a 30-character https:// host in
# its link (tests/test_default_costs.py counts them). Each text names the agency (its short
# name), says which call it is about, and never the call type, a name or an address. The
# first text carries the tracking link and the notice ("not monitored, call 911, reply STOP",
# the `notice` field, empty on later updates); later texts do without the link, which the
# first one gave. The Spanish avoids letters outside the GSM alphabet where a natural wording
# allows; the worker writes the rest plain when that saves a segment (gsm.cheapest).
_SUBJECT_EN = "{{ agency }}: your call {{ incident_number }}"
_SUBJECT_ES = "{{ agency }}: su llamada {{ incident_number }}"
_NOTICE = "{% if notice %}\n{{ notice }}{% endif %}"


def _words(en: str, es: str) -> dict[str, tuple[str, str]]:
    return {"en": (_SUBJECT_EN, en + _NOTICE), "es": (_SUBJECT_ES, es + _NOTICE)}


DEFAULTS: tuple[Default, ...] = (
    Default(
        Trigger.RECEIVED, "Call received", True, 10, 120,
        _words(
            "{{ agency }} got your call {{ incident_number }}"
            "{% if track_url %}: {{ track_url }}{% else %}.{% endif %}",
            "{{ agency }} tiene su llamada {{ incident_number }}"
            "{% if track_url %}: {{ track_url }}{% else %}.{% endif %}",
        ),
    ),
    Default(
        Trigger.DELAYED, "Delay past threshold", True, 20, 60,
        _words(
            "{{ agency }}: officers are still busy on other calls. Your call "
            "{{ incident_number }} is waiting for the next available officer.",
            "{{ agency }}: los agentes siguen ocupados con otras llamadas. Su llamada "
            "{{ incident_number }} espera al siguiente agente libre.",
        ),
    ),
    Default(
        Trigger.DISPATCHED, "Dispatched", True, 30, 30,
        _words(
            "{{ agency }}: an officer is assigned to your call {{ incident_number }} "
            "and will come as soon as possible.",
            "{{ agency }}: un agente tiene asignada su llamada {{ incident_number }} "
            "y va a acudir lo antes posible.",
        ),
    ),
    Default(
        Trigger.ENROUTE, "En route", False, 40, 15,
        _words(
            "{{ agency }}: an officer is on the way to your call {{ incident_number }}.",
            "{{ agency }}: un agente va en camino a su llamada {{ incident_number }}.",
        ),
    ),
    Default(
        Trigger.ONSCENE, "On scene", False, 50, 15,
        _words(
            "{{ agency }}: an officer has arrived for your call {{ incident_number }}.",
            "{{ agency }}: un agente ha llegado para atender su llamada {{ incident_number }}.",
        ),
    ),
    # The closing text and the report text both say the latest: updates that fall due
    # together go as one text (worker.fold), the later of them, so with a report number the
    # closing text says "report taken" too, and a report on a finished call says so.
    Default(
        Trigger.CLEARED, "Cleared", True, 60, 240,
        _words(
            "{{ agency }}: officers finished at your call {{ incident_number }}."
            "{% if report_number %} Report {{ report_number }} was taken; for a copy call "
            "{{ non_emergency_number }}{% else %} {{ disposition }} Questions: "
            "{{ non_emergency_number }}{% endif %}",
            "{{ agency }}: los agentes terminaron con su llamada {{ incident_number }}."
            "{% if report_number %} Se hizo el informe {{ report_number }}; para una copia "
            "llame al {{ non_emergency_number }}{% else %} {{ disposition }} Preguntas: "
            "{{ non_emergency_number }}{% endif %}",
        ),
    ),
    Default(
        Trigger.REPORT, "Report taken", True, 70, 1440,
        _words(
            "{{ agency }}: {% if disposition %}officers finished at your call "
            "{{ incident_number }}. Report {{ report_number }} was taken{% else %}report "
            "{{ report_number }} was taken for your call {{ incident_number }}{% endif %}; for "
            "a copy call {{ non_emergency_number }}",
            "{{ agency }}: {% if disposition %}los agentes terminaron con su llamada "
            "{{ incident_number }}. Se hizo el informe {{ report_number }}{% else %}se hizo el "
            "informe {{ report_number }} sobre su llamada {{ incident_number }}{% endif %}; "
            "para una copia llame al {{ non_emergency_number }}",
        ),
    ),
)  # fmt: skip
DEFAULT_BY_TRIGGER = {d.trigger: d for d in DEFAULTS}


def install_defaults(agency: Any) -> int:
    """Give an agency the default rules it does not have yet (by trigger). Idempotent: run it
    again and it adds nothing; a rule an admin changed is never touched. Returns how many rules
    it made."""
    return install(agency.pk, Rule, Template)


def install(agency_id: int, rule_model: Any, template_model: Any) -> int:
    """`install_defaults` over any Rule/Template models (the data migration passes its own)."""
    have = set(rule_model.objects.filter(agency_id=agency_id).values_list("trigger", flat=True))
    missing = [d for d in DEFAULTS if str(d.trigger) not in have]
    if not missing:
        return 0
    made = rule_model.objects.bulk_create(
        [
            rule_model(
                agency_id=agency_id,
                name=d.name,
                trigger=str(d.trigger),
                enabled=d.enabled,
                position=d.position,
                valid_minutes=d.valid_minutes,
            )
            for d in missing
        ]
    )
    template_model.objects.bulk_create(
        [
            template_model(rule_id=rule.pk, language=language, subject=subject, body=body)
            for rule, d in zip(made, missing, strict=True)
            for language, (subject, body) in d.templates.items()
        ]
    )
    return len(made)


@dataclass(frozen=True)
class Facts:
    """What a rule's conditions look at: codes, never the call itself. None = not known (a
    message that is not about a call, or a call without a type yet)."""

    call_type: str | None = None
    priority: str | None = None
    source: str | None = None


def _codes(values: Any) -> frozenset[str]:
    return frozenset(str(v).strip().upper() for v in (values or ()) if str(v).strip())


def _conditions(rule: Rule) -> tuple[frozenset[str], ...]:
    # Worked out once per loaded rule: planning checks the same few rules for every call.
    cached = rule.__dict__.get("_conditions")
    if cached is None:
        cached = rule.__dict__["_conditions"] = (
            _codes(rule.call_types_in),
            _codes(rule.call_types_out),
            _codes(rule.priority_codes),
            _codes(rule.sources),
        )
    return cached  # type: ignore[no-any-return]


def matches(rule: Rule, facts: Facts) -> bool:
    types_in, types_out, priorities, sources = _conditions(rule)
    call_type = (facts.call_type or "").upper()
    if types_in and call_type not in types_in:
        return False
    if call_type and call_type in types_out:
        return False
    if priorities and (facts.priority or "").upper() not in priorities:
        return False
    # A message that did not come from a feed (a survey, a case update) has no source, and a
    # rule limited to some feeds still applies to it: that condition is about call updates.
    return not (sources and facts.source is not None and facts.source.upper() not in sources)


def sends_on(rule: Rule, channel: str) -> bool:
    if channel == Channel.PUSH:
        return rule.push
    return rule.sms if channel == Channel.SMS else rule.email if channel == Channel.EMAIL else False


def first_match(rules: Iterable[Rule], channel: str, facts: Facts) -> Rule | None:
    """The first enabled rule, by position, that sends on this channel and whose conditions
    hold. `rules` are one trigger's rules of one agency."""
    for rule in sorted(rules, key=lambda r: (r.position, r.pk or 0)):
        if rule.enabled and sends_on(rule, channel) and matches(rule, facts):
            return rule
    return None


class RuleBook:
    """The enabled rules of the agencies in a batch, read in one query, with each agency's
    default sending number and merge window alongside (so planning needs no second query)."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self._by: dict[tuple[int, str], list[Rule]] = defaultdict(list)
        for rule in rules:
            self._by[(rule.agency_id, rule.trigger)].append(rule)

    @classmethod
    def load(cls, agency_ids: Iterable[int]) -> RuleBook:
        default_sender = (
            Sender.objects.filter(agency_id=OuterRef("agency_id"), is_default=True)
            .order_by("id")
            .values("id")[:1]
        )
        merge = DeliverySettings.objects.filter(agency_id=OuterRef("agency_id")).values(
            "merge_seconds"
        )[:1]
        rules = (
            Rule.objects.filter(agency_id__in=set(agency_ids), enabled=True)
            .annotate(default_sender_id=Subquery(default_sender), merge_seconds=Subquery(merge))
            .order_by("agency_id", "trigger", "position", "id")
        )
        return cls(rules)

    def match(self, agency_id: int, trigger: str, channel: str, facts: Facts) -> Rule | None:
        return first_match(self._by.get((agency_id, trigger), ()), channel, facts)

    def of(self, agency_id: int, trigger: str) -> list[Rule]:
        """One agency's enabled rules for one trigger."""
        return self._by.get((agency_id, trigger), [])

    def agency_rules(self, agency_id: int) -> list[Rule]:
        """One agency's enabled rules, in the order they were read (a RuleBook made of them
        for that agency alone is the same book: calls/ahead.py caches them per agency)."""
        return [
            rule for (agency, _), rules in self._by.items() if agency == agency_id for rule in rules
        ]

    def default_sender(self, agency_id: int) -> int | None:
        """The agency's default sending number (the lowest id), as read with its rules: known
        only for an agency with an enabled rule, which is the only one that sends."""
        for (agency, _), rules in self._by.items():
            if agency == agency_id and rules:
                return rules[0].default_sender_id  # type: ignore[attr-defined,no-any-return]
        return None
