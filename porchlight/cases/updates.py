"""Case updates through the notification engine: one message per opted-in victim and contact.

Every update is planned with `notify.plan.message` in the same transaction as the change that
caused it, under the agency's rules for the trigger (cases/defaults.py installs them), in the
victim's language. The fields are strings for the trigger's template (notify.templating):
the case number, the agency's words for the status (wording.status_words), the detective's
contact. Never the offense, the NIBRS reason, a name other than the detective's, or an
address: what is not in the context cannot be texted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils import translation

from porchlight.cases import wording
from porchlight.cases.defaults import case_settings
from porchlight.cases.models import Case, CaseEvent, RmsStatus, Victim
from porchlight.notify import plan
from porchlight.notify.models import Outbox, Trigger

Fields = Callable[[Victim], dict[str, str]]


def send(
    case: Case,
    trigger: str,
    what: str,
    fields: Fields,
    victims: Iterable[Victim] | None = None,
) -> list[Outbox]:
    """Plan `trigger` for the case's opted-in victims (or those given). `what` names the update
    for the outbox's dedupe key ("opened", "status:41"), so replaying it plans nothing new."""
    case_settings(case.agency)  # the agency's case rules exist from here on
    planned: list[Outbox] = []
    chosen = victims if victims is not None else case.victims.filter(opted_in=True)
    for victim in chosen:
        with translation.override(victim.language):
            context = {"case_number": case.number, **fields(victim)}
        for contact in victim.contacts():
            row = plan.message(
                case.agency,
                contact,
                trigger,
                dedupe=f"case:{case.pk}:{what}",
                context=context,
                language=victim.language,
            )
            if row is not None:
                planned.append(row)
    return planned


def detective_words(case: Case) -> str:
    name = case.detective_name.strip()
    if not name:
        return ""
    return f"{case.detective_title.strip()} {name}".strip()


def opened(case: Case, victims: Iterable[Victim] | None = None) -> list[Outbox]:
    incident = case.incidents.order_by("id").values_list("incident_number", flat=True).first()
    return send(
        case, Trigger.CASE_OPENED, "opened", lambda v: {"incident_number": incident or ""}, victims
    )


def assigned(case: Case, event: CaseEvent) -> list[Outbox]:
    return send(
        case,
        Trigger.CASE_ASSIGNED,
        f"assigned:{event.pk}",
        lambda v: {
            "detective": detective_words(case),
            "detective_phone": case.detective_phone,
            "detective_email": case.detective_email,
        },
    )


def status_changed(case: Case, event: CaseEvent, status: RmsStatus | None) -> list[Outbox]:
    return send(
        case,
        Trigger.CASE_STATUS,
        f"status:{event.pk}",
        lambda v: {"case_status": wording.status_words(case, v.language, status)},
    )


def closed(case: Case, event: CaseEvent, status: RmsStatus | None) -> list[Outbox]:
    settings = case_settings(case.agency)
    return send(
        case,
        Trigger.CASE_CLOSED,
        f"closed:{event.pk}",
        lambda v: {
            "case_status": wording.status_words(case, v.language, status),
            "report_copy": wording.copy_steps(case, v.language, settings).short(),
        },
    )


def note(case: Case, event: CaseEvent) -> list[Outbox]:
    return send(
        case,
        Trigger.CASE_NOTE,
        f"note:{event.pk}",
        lambda v: {"note": event.text, "detective": detective_words(case)},
    )
