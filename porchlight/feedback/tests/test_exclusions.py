"""The engine's exclusions always apply: excluded calls get no survey, and so do the call types
a survey is switched off for, history, and calls without a contact."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from porchlight.feedback import defaults
from porchlight.feedback.models import Invitation, Survey
from porchlight.feedback.tests.calls import cleared_call
from porchlight.notify.models import Outbox, Trigger

CLEARED = datetime(2026, 11, 22, 15, 6, tzinfo=ZoneInfo("America/Los_Angeles"))


def asked(call):
    return (
        Invitation.objects.filter(call=call).exists()
        or Outbox.objects.filter(call=call, trigger=Trigger.SURVEY).exists()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["273.5", "261", "5150S"])
def test_sensitive_call_types_get_no_survey(agency, code):
    with time_machine.travel(CLEARED, tick=False):
        call = cleared_call(agency, call_type=code)
    assert not asked(call)


@pytest.mark.django_db
def test_juvenile_and_do_not_contact_calls_get_no_survey(agency):
    with time_machine.travel(CLEARED, tick=False):
        juvenile = cleared_call(agency, "26-020002", juvenile=True)
        refused = cleared_call(agency, "26-020003", do_not_contact=True)
    assert juvenile.juvenile and refused.do_not_contact
    assert not asked(juvenile)
    assert not asked(refused)


@pytest.mark.django_db
def test_unmapped_call_types_get_no_survey(agency):
    with time_machine.travel(CLEARED, tick=False):
        call = cleared_call(agency, call_type="ZZNEW")
    assert not asked(call)


@pytest.mark.django_db
def test_a_survey_switched_off_for_a_call_type_skips_it(agency):
    defaults.ensure(agency.pk)
    Survey.objects.filter(agency=agency).update(call_types_off=["415"])
    with time_machine.travel(CLEARED, tick=False):
        off = cleared_call(agency, "26-020004", call_type="415")
        on = cleared_call(agency, "26-020005", call_type="459R")
    assert not asked(off)
    assert asked(on)


@pytest.mark.django_db
def test_a_disabled_survey_or_rule_asks_nobody(agency):
    from porchlight.notify.models import Rule

    defaults.ensure(agency.pk)
    Rule.objects.filter(agency=agency, trigger=Trigger.SURVEY).update(enabled=False)
    with time_machine.travel(CLEARED, tick=False):
        call = cleared_call(agency, "26-020006")
    assert not asked(call)
    Rule.objects.filter(agency=agency, trigger=Trigger.SURVEY).update(enabled=True)
    Survey.objects.filter(agency=agency).update(enabled=False)
    with time_machine.travel(CLEARED, tick=False):
        call = cleared_call(agency, "26-020007")
    assert not asked(call)


@pytest.mark.django_db
def test_history_and_calls_without_a_contact_get_no_survey(agency):
    from porchlight.calls.intake import Feed, ingest
    from standins.builders import cad_event

    with time_machine.travel(CLEARED, tick=False):
        nobody = cleared_call(agency, "26-020008", phone=None)
        ingest(
            Feed(agency=agency, source="import", covered={agency.ori: agency}, historical=True),
            [
                cad_event(90, incident="25-000001", caller={"phone": "661-555-0101"}),
                cad_event(91, incident="25-000001", status="cleared"),
            ],
        )
    assert not asked(nobody)
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_an_email_only_caller_is_asked_by_email(agency):
    with time_machine.travel(CLEARED, tick=False):
        call = cleared_call(agency, "26-020009", phone=None, email="ana@example.org")
    row = Outbox.objects.get(call=call, trigger=Trigger.SURVEY)
    assert row.channel == "email"
    assert Outbox.objects.filter(call=call, trigger=Trigger.SURVEY).count() == 1
