"""plan.message(): messages that are not call updates (surveys, case updates, alerts)."""

from datetime import datetime, time, timedelta

import pytest

from porchlight.calls.models import Call
from porchlight.notify import pii, plan
from porchlight.notify.models import Contact, DeliverySettings, Outbox, Rule, Sender, State, Trigger
from porchlight.notify.tests.conftest import received
from standins.builders import make_agency


def contact(agency, address="+16615550142", channel="sms"):
    return Contact.objects.create(
        agency=agency,
        channel=channel,
        address_hash=pii.lookup_hash(address),
        address_enc=pii.encrypt(address),
    )


@pytest.fixture
def survey_rule(agency):
    rule = Rule.objects.create(
        agency=agency, name="Survey", trigger=Trigger.SURVEY, valid_minutes=24 * 60
    )
    rule.templates.create(language="en", body="{{ agency }}: how did we do? {{ survey_url }}")
    return rule


def survey(agency, to, **extra):
    extra.setdefault("context", {"survey_url": "https://pl.example/s/abc"})
    extra.setdefault("language", "es")
    return plan.message(agency, to, Trigger.SURVEY, dedupe="call:26-000001", **extra)


@pytest.mark.django_db
def test_a_survey_is_planned_under_its_rule(agency, survey_rule):
    sender = Sender.objects.create(agency=agency, label="Main", phone_number="+16615550100")
    to = contact(agency)
    row = survey(agency, to)
    assert row is not None and row.pk
    row = Outbox.objects.get(pk=row.pk)
    assert (row.rule, row.sender, row.channel, row.call) == (survey_rule, sender, "sms", None)
    assert row.priority == 30 and row.state == State.PLANNED and row.language == "es"
    assert row.context == {"survey_url": "https://pl.example/s/abc"}
    assert row.expires_at == row.due_at + timedelta(days=1)
    assert row.dedupe_key == f"{to.pk}:survey.invite:call:26-000001:sms"


@pytest.mark.django_db
def test_quiet_hours_hold_a_survey_until_morning_but_not_an_urgent_alert(
    agency, survey_rule, clock
):
    clock.move_to("2026-11-22T22:30:00-08:00")
    to = contact(agency)
    row = survey(agency, to)
    morning = datetime.fromisoformat("2026-11-23T08:00:00-08:00")
    assert row.due_at == morning and row.state == State.SCHEDULED
    assert row.expires_at == morning + timedelta(days=1)

    # The agency's own quiet hours.
    DeliverySettings.objects.create(agency=agency, quiet_start=time(22), quiet_end=time(7))
    later = plan.message(
        agency, to, Trigger.SURVEY, dedupe="call:26-000002", language="en",
        context={"survey_url": "https://pl.example/s/def"},
    )  # fmt: skip
    assert later.due_at == datetime.fromisoformat("2026-11-23T07:00:00-08:00")

    alert = Rule.objects.create(agency=agency, name="Shelter", trigger=Trigger.ALERT_URGENT)
    alert.templates.create(language="en", body="{{ alert_title }}: {{ alert_text }}")
    now_row = plan.message(
        agency, to, Trigger.ALERT_URGENT, dedupe="alert:7", language="en",
        context={"alert_title": "Shelter in place", "alert_text": "Stay indoors."},
    )  # fmt: skip
    assert now_row.state == State.PLANNED and now_row.priority == 10
    assert abs(now_row.due_at - datetime.fromisoformat("2026-11-22T22:30:00-08:00")) < timedelta(
        seconds=5
    )


@pytest.mark.django_db
def test_no_enabled_rule_for_the_channel_plans_nothing(agency, survey_rule):
    to = contact(agency)
    survey_rule.sms = False
    survey_rule.save()
    assert survey(agency, to) is None
    assert survey(agency, contact(agency, "a@example.org", "email")) is not None
    survey_rule.enabled = False
    survey_rule.save()
    assert survey(agency, contact(agency, "b@example.org", "email")) is None
    # Case updates have no rule by default.
    assert (
        plan.message(agency, to, Trigger.CASE_STATUS, dedupe="case:1", context={}, language="en")
        is None
    )


@pytest.mark.django_db
def test_the_same_update_is_planned_once(agency, survey_rule):
    to = contact(agency)
    first = survey(agency, to)
    again = survey(agency, to, context={"survey_url": "https://pl.example/s/other"})
    assert again.pk == first.pk and Outbox.objects.count() == 1


@pytest.mark.parametrize(
    "context, words",
    [
        ({"incident": "26-000001"}, "not a template field"),
        ({"survey_url": 5}, "must be a string"),
        ({"survey_url": "https://pl.example/s/?to=+16615550142"}, "contact's address"),
        ({"survey_url": "https://pl.example/s/?to=(661) 555-0142"}, "contact's address"),
    ],
)
@pytest.mark.django_db
def test_context_is_checked(agency, survey_rule, context, words):
    with pytest.raises(ValueError, match=words):
        survey(agency, contact(agency), context=context)
    assert not Outbox.objects.exists()


@pytest.mark.django_db
def test_email_address_in_context_is_refused(agency, survey_rule):
    to = contact(agency, "Maria@Example.org", "email")
    with pytest.raises(ValueError, match="contact's address"):
        survey(agency, to, context={"survey_url": "https://pl.example/s/maria@example.org"})


@pytest.mark.django_db
def test_a_call_brings_its_exclusions_and_conditions(agency, survey_rule, call_in):
    call_in(received(juvenile=True))
    call = Call.objects.get()
    to = call.caller_phone
    row = survey(agency, to, call=call)
    assert row.state == State.SUPPRESSED and row.reason == "juvenile involved"
    assert row.call == call

    survey_rule.call_types_in = ["415"]
    survey_rule.save()
    assert (
        plan.message(
            agency,
            to,
            Trigger.SURVEY,
            dedupe="call:x",
            call=call,
            language="en",
            context={"survey_url": "https://pl.example/s/x"},
        )  # fmt: skip
        is None
    )


@pytest.mark.django_db
def test_contact_of_another_agency_is_refused(agency, survey_rule):
    other = make_agency(slug="arvin", name="Arvin Police Department", ori="CA0150300")
    with pytest.raises(ValueError, match="belong to the agency"):
        survey(agency, contact(other))
