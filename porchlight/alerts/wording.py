"""The agency's message rules for alerts and digests, created with editable words on first use.

notify's rules decide whether a trigger sends and in which words (staff edit them in the
admin, as for call updates). An agency that never set up alert rules gets these on the first
alert, so a resident who asked for alerts gets them; an agency that disabled one keeps it
disabled.
"""

from __future__ import annotations

from django.db import transaction

from porchlight.agencies.models import Agency
from porchlight.notify.models import Rule, Template, Trigger

_ALERT_EN = "{{ agency }}: {{ alert_title }}\n{{ alert_text }}\n{{ alert_url }}{% if opt_out %}\n{{ opt_out }}{% endif %}"
_ALERT_ES = "{{ agency }}: {{ alert_title }}\n{{ alert_text }}\n{{ alert_url }}{% if opt_out %}\n{{ opt_out }}{% endif %}"

WORDS: dict[str, tuple[str, int, dict[str, tuple[str, str]]]] = {
    Trigger.ALERT_URGENT: ("Urgent community alert", 900, {
        "en": ("{{ agency }}: URGENT: {{ alert_title }}", _ALERT_EN),
        "es": ("{{ agency }}: URGENTE: {{ alert_title }}", _ALERT_ES),
    }),
    Trigger.ALERT: ("Community alert", 910, {
        "en": ("{{ agency }}: {{ alert_title }}", _ALERT_EN),
        "es": ("{{ agency }}: {{ alert_title }}", _ALERT_ES),
    }),
    Trigger.DIGEST: ("Daily alert digest", 920, {
        "en": (
            "{{ agency }}: today's alerts near your places",
            "{{ agency }}: new alerts near your places: {{ alert_url }}"
            "{% if opt_out %}\n{{ opt_out }}{% endif %}",
        ),
        "es": (
            "{{ agency }}: avisos de hoy cerca de sus lugares",
            "{{ agency }}: hay avisos nuevos cerca de sus lugares: {{ alert_url }}"
            "{% if opt_out %}\n{{ opt_out }}{% endif %}",
        ),
    }),
}  # fmt: skip


def ensure_rules(agency: Agency) -> dict[str, list[Rule]]:
    """The agency's rules for the alert triggers (created when it has none), by trigger."""
    found: dict[str, list[Rule]] = {t: [] for t in WORDS}
    for rule in Rule.objects.filter(agency=agency, trigger__in=list(WORDS)):
        found[rule.trigger].append(rule)
    missing = [trigger for trigger, rules in found.items() if not rules]
    if missing:
        with transaction.atomic():
            for trigger in missing:
                name, position, words = WORDS[trigger]
                # Valid for a day: an alert is news for about that long (the digest, a day).
                rule = Rule.objects.create(
                    agency=agency, name=name, trigger=trigger, position=position,
                    sms=True, email=True, push=True, valid_minutes=24 * 60,
                )  # fmt: skip
                for language, (subject, body) in words.items():
                    Template.objects.create(
                        rule=rule, language=language, subject=subject, body=body
                    )
                found[trigger].append(rule)
    return found
