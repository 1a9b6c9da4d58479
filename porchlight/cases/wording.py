"""What victims read about a case: the status words, their rights, how to get the report.

Each is the agency's own text when it wrote one (RmsStatus.wording, CaseSettings.rights) and
Porchlight's built-in words otherwise, in the reader's language. The built-in status words
are per NIBRS term, and every exceptional clearance reads the same: the reason (A–E) is for
the agency's reports, and "death of the offender" or "victim refused to cooperate" is never
what a victim is told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import formats, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from porchlight.cases.models import Case, CaseSettings, RmsStatus, Term

_CLEARED = gettext_lazy("Your case has been cleared and is now closed.")

BUILT_IN: dict[str, Promise] = {
    Term.OPEN: gettext_lazy("Your case is open and under review."),
    Term.ASSIGNED: gettext_lazy("A detective has been assigned to your case."),
    Term.CLEARED_ARREST: gettext_lazy("An arrest was made and your case is now closed."),
    Term.EXCEPTIONAL_A: _CLEARED,
    Term.EXCEPTIONAL_B: _CLEARED,
    Term.EXCEPTIONAL_C: _CLEARED,
    Term.EXCEPTIONAL_D: _CLEARED,
    Term.EXCEPTIONAL_E: _CLEARED,
    Term.UNFOUNDED: gettext_lazy("After review, your case is closed."),
    Term.SUSPENDED: gettext_lazy(
        "Your case is inactive until new information comes in. It can be reopened."
    ),
    Term.CLOSED: gettext_lazy("Your case is now closed."),
}


def _pick(words: dict[str, str], language: str) -> str:
    for code in (language, language.split("-")[0], "en"):
        if words.get(code, "").strip():
            return words[code].strip()
    return next((v.strip() for v in words.values() if v.strip()), "")


def status_words(case: Case, language: str, status: RmsStatus | None = None) -> str:
    """What a victim reads about the case's status, in `language`."""
    if status is None and case.rms_status:
        status = RmsStatus.objects.filter(agency_id=case.agency_id, code=case.rms_status).first()
    return term_words(case.term, language, status)


def term_words(term: str, language: str, status: RmsStatus | None = None) -> str:
    """The agency's words for its status code when it wrote some, else the built-in words for
    the NIBRS term (the same for every exceptional clearance)."""
    if status is not None and status.wording:
        own = _pick(status.wording, language)
        if own:
            return own
    with translation.override(language):
        return str(BUILT_IN.get(term, BUILT_IN[Term.OPEN]))


def is_california(agency: Any) -> bool:
    # An ORI starts with the state's code.
    return str(agency.ori).upper().startswith("CA")


MARSYS_LAW = gettext_lazy(
    "As a crime victim in California you have rights under the California Constitution "
    "(Marsy's Law, Article I, Section 28(b)): to be treated with fairness and respect for your "
    "privacy and dignity; to be reasonably protected from the defendant; to have your safety "
    "considered in setting bail and release conditions; to refuse an interview or discovery "
    "request by the defense; to reasonable notice of and to be heard at public proceedings; to "
    "a speedy trial; to restitution; to the return of property no longer needed as evidence; "
    "and to be informed of these rights. Ask your detective for the Marsy's Law card."
)
GENERAL_RIGHTS = gettext_lazy(
    "As a crime victim you have rights: to be treated with fairness and respect, to be "
    "informed about your case, to be protected from intimidation, and to ask about "
    "restitution and victim assistance. Ask your detective about victim services."
)


def rights(agency: Any, language: str, settings: CaseSettings | None = None) -> str:
    """The victims' rights text: the agency's own, else Marsy's Law in California, else a
    general statement."""
    settings = settings if settings is not None else CaseSettings.for_agency(agency)
    if settings.rights:
        own = _pick(settings.rights, language)
        if own:
            return own
    with translation.override(language):
        return str(MARSYS_LAW if is_california(agency) else GENERAL_RIGHTS)


# Family Code 6228 (California): a victim of domestic violence (and of the other crimes it
# names) gets one copy of the incident report face sheet and of the incident report free. The
# face sheet within 48 hours of asking (5 working days when the agency gives good cause why
# not), the report within 5 working days (10 with good cause), for requests made within five
# years of the report's completion.
FC6228_FACE_SHEET_HOURS = 48
FC6228_FACE_SHEET_GOOD_CAUSE_DAYS = 5
FC6228_DAYS = 5
FC6228_GOOD_CAUSE_DAYS = 10
FC6228_YEARS = 5


@dataclass(frozen=True)
class CopySteps:
    """How a victim gets a copy of the report."""

    where: str
    when: str
    fee: str
    free_under_6228: bool
    deadline: str  # the Family Code 6228 deadline in words; "" when it does not apply
    ask_until: date | None

    def short(self) -> str:
        """One line for a text."""
        if self.free_under_6228:
            return _("Free copy for you (Family Code 6228): %(where)s") % {"where": self.where}
        return _("Report copy: %(where)s, fee %(fee)s") % {"where": self.where, "fee": self.fee}


def _money(amount: Decimal | None) -> str:
    if amount is None:
        return _("ask records staff")
    if amount == 0:
        return _("free")
    return f"${amount:.2f}"


def _years_after(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def fc6228_applies(case: Case) -> bool:
    return case.domestic_violence and is_california(case.agency)


def copy_steps(case: Case, language: str, settings: CaseSettings | None = None) -> CopySteps:
    """Where, when and for how much the victim gets a copy of the report, in `language`.

    For a domestic-violence case in California, Family Code 6228: the copy is free and is
    given within 5 working days of the request (10 with good cause), for 2 years after the
    report."""
    settings = settings if settings is not None else CaseSettings.for_agency(case.agency)
    with translation.override(language):
        where = (
            case.report_how
            or settings.copy_where
            or _("ask the records unit at %(number)s")
            % {"number": case.agency.non_emergency_number}
        )
        if case.report_available_on:
            when = _("from %(date)s") % {
                "date": formats.date_format(case.report_available_on, "SHORT_DATE_FORMAT")
            }
        else:
            when = settings.copy_hours or _("once the report is approved")
        if fc6228_applies(case):
            # From the report's completion (its approval) when known, else the case's opening.
            start = (case.report_approved_at or case.created).astimezone(case.agency.tz).date()
            until = _years_after(start, FC6228_YEARS)
            deadline = _(
                "Under California Family Code 6228 your copy is free. Records staff must give "
                "you the face sheet within %(hours)d hours of your request and the full report "
                "within %(days)d working days (%(face)d and %(more)d working days if they tell "
                "you of a good cause for the wait). You can ask until %(until)s."
            ) % {
                "hours": FC6228_FACE_SHEET_HOURS,
                "days": FC6228_DAYS,
                "face": FC6228_FACE_SHEET_GOOD_CAUSE_DAYS,
                "more": FC6228_GOOD_CAUSE_DAYS,
                "until": formats.date_format(until, "SHORT_DATE_FORMAT"),
            }
            return CopySteps(where, when, _money(Decimal(0)), True, deadline, until)
        fee = case.report_fee if case.report_fee is not None else settings.copy_fee
        return CopySteps(where, when, _money(fee), False, "", None)
