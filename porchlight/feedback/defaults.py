"""What every agency starts with: the default survey, the two message rules that carry the
invitation and the "resolved" note, and the theme lexicons.

`install()` runs once per agency (the data migration for agencies that exist; the invitation
path for agencies made later) and leaves a `Settings` row, so what an admin deletes afterwards
stays deleted.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from porchlight.feedback import themes

# (about, kind, required, English, Spanish, English choices, Spanish choices)
QUESTIONS: tuple[tuple[str, str, bool, str, str], ...] = (
    (
        "call_taker", "rating", False,
        "How well did the person who answered your call help you?",
        "¿Qué tan bien le ayudó la persona que contestó su llamada?",
    ),
    (
        "officer", "rating", False,
        "How well did the officer who came help you?",
        "¿Qué tan bien le ayudó el agente que acudió?",
    ),
    (
        "overall", "rating", True,
        "Overall, how satisfied are you with how we handled your call?",
        "En general, ¿qué tan satisfecho está con cómo atendimos su llamada?",
    ),
    (
        "safety", "rating", False,
        "How safe do you feel in your neighborhood?",
        "¿Qué tan seguro se siente en su vecindario?",
    ),
    (
        "different", "text", False,
        "What could we have done differently?",
        "¿Qué podríamos haber hecho de otra manera?",
    ),
    (
        "to_officer", "text", False,
        "Anything you want to tell the officer?",
        "¿Algo que quiera decirle al agente?",
    ),
    (
        "contact_me", "yesno", False,
        "Would you like a supervisor to contact you?",
        "¿Quiere que un supervisor se comunique con usted?",
    ),
)  # fmt: skip

INTRO_EN = (
    "We are asking everyone who called us recently how it went. It takes about a minute. "
    "Your answers go to the supervisors of your area and help us train and thank our officers."
)
INTRO_ES = (
    "Preguntamos a todas las personas que nos llamaron hace poco cómo les fue. Toma un minuto. "
    "Sus respuestas llegan a los supervisores de su zona y nos ayudan a formar y agradecer a "
    "nuestros agentes."
)

# The invitation says who asks and why, so it does not read as spam; it names no call type.
RULES: tuple[tuple[str, str, int, dict[str, tuple[str, str]]], ...] = (
    (
        "survey.invite", "Survey invitation", 1440,
        {
            "en": (
                "{{ agency }}: how did we do?",
                "{{ agency }} asks how we did on your call {{ incident_number }}. One minute, "
                "read by supervisors: {{ survey_url }} {{ opt_out }}",
            ),
            "es": (
                "{{ agency }}: ¿cómo lo hicimos?",
                "{{ agency }} pregunta cómo atendimos su llamada {{ incident_number }}. Un "
                "minuto, lo leen supervisores: {{ survey_url }} {{ opt_out }}",
            ),
        },
    ),
    (
        "survey.followup", "Follow-up resolved", 1440,
        {
            "en": (
                "{{ agency }}: your feedback",
                "{{ agency }}: a supervisor looked into what you told us in our survey and has "
                "closed it. Questions: {{ non_emergency_number }}",
            ),
            "es": (
                "{{ agency }}: sus comentarios",
                "{{ agency }}: un supervisor revisó lo que nos dijo en la encuesta y lo dio por "
                "resuelto. Preguntas: {{ non_emergency_number }}",
            ),
        },
    ),
)  # fmt: skip


def install(agency_id: int, models: Any) -> bool:
    """Give one agency the defaults, once. `models` has Settings, Survey, Question, Lexicon,
    Rule and Template (the real ones, or a migration's historical ones). True if it did."""
    if models.Settings.objects.filter(agency_id=agency_id).exists():
        return False
    try:
        with transaction.atomic():
            models.Settings.objects.create(agency_id=agency_id)
            survey = models.Survey.objects.create(
                agency_id=agency_id,
                name="After a call",
                when="call_cleared",
                intro_en=INTRO_EN,
                intro_es=INTRO_ES,
            )
            models.Question.objects.bulk_create(
                models.Question(
                    survey=survey,
                    position=(i + 1) * 10,
                    about=about,
                    kind=kind,
                    required=required,
                    text_en=en,
                    text_es=es,
                )
                for i, (about, kind, required, en, es) in enumerate(QUESTIONS)
            )
            have = set(
                models.Rule.objects.filter(agency_id=agency_id).values_list("trigger", flat=True)
            )
            for trigger, name, valid, words in RULES:
                if trigger in have:
                    continue
                rule = models.Rule.objects.create(
                    agency_id=agency_id,
                    name=name,
                    trigger=trigger,
                    position=100,
                    valid_minutes=valid,
                )
                for language, (subject, body) in words.items():
                    models.Template.objects.create(
                        rule=rule, language=language, subject=subject, body=body
                    )
            models.Lexicon.objects.bulk_create(
                models.Lexicon(agency_id=agency_id, theme=theme, language=lang, terms=terms)
                for (theme, lang), terms in themes.DEFAULT_TERMS.items()
            )
    except IntegrityError:
        return False  # another process installed them first
    return True


class Real:
    """The models `install()` needs, as the running code has them."""

    def __getattr__(self, name: str) -> Any:
        from porchlight.feedback import models
        from porchlight.notify.models import Rule, Template

        return {"Rule": Rule, "Template": Template}.get(name) or getattr(models, name)


def ensure(agency_id: int) -> None:
    install(agency_id, Real())
