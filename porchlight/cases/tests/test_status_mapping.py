"""Every NIBRS term an RMS code maps to: the case moves, the victim reads the agency's words,
and a closing term closes the case through status.close()."""

import pytest
from django.utils import timezone

from porchlight.cases import status as case_status
from porchlight.cases.models import CLOSING_TERMS, CaseEvent, RmsStatus, Term
from porchlight.cases.tests.conftest import CODES, sent_text
from porchlight.notify.models import Outbox, Trigger

# What no victim is ever told: the NIBRS exceptional-clearance reasons.
REASONS = ("death", "offender", "prosecution", "declined", "custody", "refused", "cooperate",
           "juvenile", "jurisdiction", "muerte", "fiscal", "cooperar")  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("language", ["en", "es"])
def test_each_status_code_moves_the_case_and_tells_the_victim(make_case, statuses, code, language):
    case = make_case(language=language)
    at = timezone.now()
    event = case_status.apply_status(case, statuses[code], at=at, source="rms")
    case.refresh_from_db()
    term = CODES[code]
    assert (case.rms_status, case.term, case.status_at) == (code, term, at)
    closing = term in CLOSING_TERMS
    assert (case.closed_at == at) is closing
    assert event.kind == ("closed" if closing else "status") and event.public
    trigger = Trigger.CASE_CLOSED if closing else Trigger.CASE_STATUS
    row = Outbox.objects.get(trigger=trigger)
    text = sent_text(row)
    assert case.number in text
    assert not any(word in text.lower() for word in REASONS), text
    assert "Theft" not in text and "Truxtun" not in text


@pytest.mark.django_db
def test_the_agency_words_are_what_the_victim_reads(make_case, statuses):
    own = statuses["EXA"]
    own.wording = {
        "en": "Your case is closed. Call Det. Ruiz with questions.",
        "es": "Caso cerrado.",
    }
    own.save()
    case = make_case(language="es")
    case_status.apply_status(case, own, at=timezone.now(), source="rms")
    assert "Caso cerrado." in sent_text(Outbox.objects.get(trigger=Trigger.CASE_CLOSED))


@pytest.mark.django_db
def test_an_older_status_is_history_and_changes_nothing(make_case, statuses):
    case = make_case()
    now = timezone.now()
    case_status.apply_status(case, statuses["SUS"], at=now, source="rms")
    old = case_status.apply_status(
        case, statuses["OPN"], at=now - timezone.timedelta(hours=1), source="rms"
    )
    case.refresh_from_db()
    assert old is None and case.term == Term.SUSPENDED
    assert CaseEvent.objects.filter(case=case, kind="rms", public=False).count() == 1
    assert Outbox.objects.filter(trigger=Trigger.CASE_STATUS).count() == 1


@pytest.mark.django_db
def test_the_same_status_again_is_nothing_new(make_case, statuses):
    case = make_case()
    now = timezone.now()
    case_status.apply_status(case, statuses["CLS"], at=now, source="rms")
    assert case_status.apply_status(case, statuses["CLS"], at=now, source="rms") is None
    assert Outbox.objects.filter(trigger=Trigger.CASE_CLOSED).count() == 1


@pytest.mark.django_db
def test_a_newer_open_status_reopens_a_closed_case(make_case, statuses):
    case = make_case()
    now = timezone.now()
    case_status.apply_status(case, statuses["CLS"], at=now, source="rms")
    later = now + timezone.timedelta(days=2)
    case_status.apply_status(case, statuses["ASG"], at=later, source="rms")
    case.refresh_from_db()
    assert case.closed_at is None and case.term == Term.ASSIGNED


@pytest.mark.django_db
def test_close_refuses_a_term_that_does_not_close(make_case):
    with pytest.raises(ValueError):
        case_status.close(make_case(), term=Term.SUSPENDED, at=timezone.now(), source="console")


@pytest.mark.django_db
def test_another_agencys_code_is_refused(make_case, statuses):
    from standins.builders import make_agency

    other = RmsStatus.objects.create(agency=make_agency(slug="k", ori="CA0150000"), code="X",
                                     term=Term.CLOSED)  # fmt: skip
    with pytest.raises(ValueError):
        case_status.apply_status(make_case(), other, at=timezone.now(), source="rms")
