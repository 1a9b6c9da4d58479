"""The message rules case updates start with, and the agency's case settings made once.

An agency's case configuration (CaseSettings) is made the first time anything needs it: a
case opened, an RMS event, the console. That is when its case rules are installed, once: an
admin who later switches a rule off or deletes it is not overruled.

The words follow notify.rules: each names the agency, says which case it is about, never the
offense, a name or an address; the notice ("not monitored, call 911, reply STOP") closes each
text, because a case update is the first text about its case. Every text is at most two GSM-7
segments with the notice and one without (tests/test_default_words.py).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from porchlight.cases.models import CaseSettings
from porchlight.notify.models import Rule, Template, Trigger
from porchlight.notify.rules import Default

_NOTICE = "{% if notice %}\n{{ notice }}{% endif %}"
_SUBJECT_EN = "{{ agency }}: your case {{ case_number }}"
_SUBJECT_ES = "{{ agency }}: su caso {{ case_number }}"


def _words(en: str, es: str) -> dict[str, tuple[str, str]]:
    return {"en": (_SUBJECT_EN, en + _NOTICE), "es": (_SUBJECT_ES, es + _NOTICE)}


DEFAULTS: tuple[Default, ...] = (
    Default(
        Trigger.CASE_OPENED, "Report taken (case number)", True, 110, 1440,
        _words(
            "{{ agency }}: your report was taken. Your case number is {{ case_number }}. "
            "Questions: {{ non_emergency_number }}",
            "{{ agency }}: se tomo su denuncia. Su numero de caso es {{ case_number }}. "
            "Preguntas: {{ non_emergency_number }}",
        ),
    ),
    Default(
        Trigger.CASE_ASSIGNED, "Case assigned to a detective", True, 120, 2880,
        _words(
            "{{ agency }}: case {{ case_number }} is assigned to {{ detective }}"
            "{% if detective_phone %}, {{ detective_phone }}{% endif %}"
            "{% if detective_email %}, {{ detective_email }}{% endif %}",
            "{{ agency }}: el caso {{ case_number }} esta asignado a {{ detective }}"
            "{% if detective_phone %}, {{ detective_phone }}{% endif %}"
            "{% if detective_email %}, {{ detective_email }}{% endif %}",
        ),
    ),
    Default(
        Trigger.CASE_STATUS, "Case status changed", True, 130, 2880,
        _words(
            "{{ agency }}, case {{ case_number }}: {{ case_status }}",
            "{{ agency }}, caso {{ case_number }}: {{ case_status }}",
        ),
    ),
    Default(
        Trigger.CASE_CLOSED, "Case closed", True, 140, 2880,
        _words(
            "{{ agency }}, case {{ case_number }}: {{ case_status }}"
            "{% if report_copy %} {{ report_copy }}{% endif %}",
            "{{ agency }}, caso {{ case_number }}: {{ case_status }}"
            "{% if report_copy %} {{ report_copy }}{% endif %}",
        ),
    ),
    Default(
        Trigger.CASE_NOTE, "Detective's note to the victim", True, 150, 2880,
        _words(
            "{{ agency }}, case {{ case_number }}, {{ detective }}: {{ note }}",
            "{{ agency }}, caso {{ case_number }}, {{ detective }}: {{ note }}",
        ),
    ),
    Default(
        Trigger.CASE_OPT_IN, "Victim opt-in code", True, 160, 10,
        _words(
            "{{ agency }}: your code for updates on case {{ case_number }} is {{ code }}",
            "{{ agency }}: su codigo para recibir noticias del caso {{ case_number }} es "
            "{{ code }}",
        ),
    ),
    Default(
        Trigger.COPY_REQUEST, "Report copy request update", True, 170, 2880,
        _words(
            "{{ agency }}, report copy for case {{ case_number }}: {{ copy_status }}",
            "{{ agency }}, copia del informe del caso {{ case_number }}: {{ copy_status }}",
        ),
    ),
)  # fmt: skip
DEFAULT_BY_TRIGGER = {d.trigger: d for d in DEFAULTS}


def install(agency_id: int, rule_model: Any = Rule, template_model: Any = Template) -> int:
    """Give an agency the case rules it has none of (by trigger). Returns how many it made."""
    have = set(rule_model.objects.filter(agency_id=agency_id).values_list("trigger", flat=True))
    missing = [d for d in DEFAULTS if str(d.trigger) not in have]
    for d in missing:
        rule = rule_model.objects.create(
            agency_id=agency_id,
            name=d.name,
            trigger=str(d.trigger),
            enabled=d.enabled,
            position=d.position,
            valid_minutes=d.valid_minutes,
        )
        template_model.objects.bulk_create(
            [
                template_model(rule_id=rule.pk, language=language, subject=subject, body=body)
                for language, (subject, body) in d.templates.items()
            ]
        )
    return len(missing)


def case_settings(agency: Any) -> CaseSettings:
    """The agency's case settings, made (with its case rules) the first time they are needed."""
    found = CaseSettings.objects.filter(agency=agency).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            made = CaseSettings.objects.create(agency=agency)
            install(agency.pk)
            return made
    except IntegrityError:
        # Made at the same moment by another request: theirs stands, rules included.
        return CaseSettings.objects.get(agency=agency)
