"""Report-copy steps (Family Code 6228 for domestic violence in California) and victims'
rights (Marsy's Law by default in California)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from porchlight.cases import wording
from porchlight.cases.defaults import case_settings
from standins.builders import make_agency


@pytest.mark.django_db
def test_a_dv_case_in_california_gets_the_free_copy_and_the_deadlines(make_case):
    case = make_case(domestic_violence=True)
    case.report_fee = Decimal("15.00")
    case.report_approved_at = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    steps = wording.copy_steps(case, "en")
    assert steps.free_under_6228 and steps.fee == "free"
    assert "Family Code 6228" in steps.deadline
    assert "48 hours" in steps.deadline and "5 working days" in steps.deadline
    assert "10 working days" in steps.deadline
    assert steps.ask_until == datetime(2031, 3, 2).date()
    assert "6228" in steps.short()
    es = wording.copy_steps(case, "es")
    assert "6228" in es.deadline and "gratuita" in es.deadline


@pytest.mark.django_db
def test_other_cases_pay_the_fee(make_case, agency):
    settings = case_settings(agency)
    settings.copy_where, settings.copy_fee = "Records, 1601 Truxtun Ave", Decimal("15.00")
    settings.save()
    steps = wording.copy_steps(make_case(), "en")
    assert not steps.free_under_6228 and steps.deadline == ""
    assert steps.short() == "Report copy: Records, 1601 Truxtun Ave, fee $15.00"


@pytest.mark.django_db
def test_dv_outside_california_is_not_under_6228(db):
    from porchlight.cases.open import open_case

    nv = make_agency(slug="reno", ori="NV0160100", name="Reno PD")
    case = open_case(nv, source="online", offense_code="13B", offense="", occurred_at=None,
                     address="", lat=None, lon=None, domestic_violence=True)  # fmt: skip
    assert not wording.copy_steps(case, "en").free_under_6228


@pytest.mark.django_db
def test_rights_are_marsys_law_in_california_and_the_agencys_own_when_written(agency):
    assert "Marsy's Law" in wording.rights(agency, "en")
    assert "Marsy" in wording.rights(agency, "es")
    nv = make_agency(slug="reno", ori="NV0160100", name="Reno PD")
    assert "Marsy" not in wording.rights(nv, "en")
    settings = case_settings(agency)
    settings.rights = {"en": "Our own rights text."}
    settings.save()
    assert wording.rights(agency, "es") == "Our own rights text."
