"""Intake plans call updates under the agency's rules: triggers, conditions, channels, order."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from porchlight.calls.intake import Feed, ingest
from porchlight.notify.models import Outbox, Rule, Sender, State, Trigger
from porchlight.notify.tests.conftest import PHONE, received
from standins.builders import cad_event

LATER = "2026-11-22T14:20:00-08:00"


def planned(**filters):
    # Call updates only: a cleared call also gets a survey invitation (feedback.invite).
    rows = Outbox.objects.filter(**filters).exclude(trigger=Trigger.SURVEY)
    return {(o.trigger, o.channel) for o in rows}


def rule(agency, trigger):
    return Rule.objects.get(agency=agency, trigger=trigger)


@pytest.mark.django_db
def test_status_updates_follow_the_rules(call_in, agency):
    call_in(received())
    call_in(cad_event(2, status="dispatched", at=LATER))
    call_in(cad_event(3, status="enroute", at=LATER))
    call_in(cad_event(4, status="onscene", at=LATER))
    # En route and on scene are off by default: the phone that called may not be safe.
    assert planned(trigger__in=[Trigger.ENROUTE, Trigger.ONSCENE]) == set()
    assert planned(trigger=Trigger.DISPATCHED) == {(Trigger.DISPATCHED, "sms")}

    Rule.objects.filter(agency=agency, trigger=Trigger.ENROUTE).update(enabled=True)
    call_in(received(5, incident="26-000002"))
    call_in(cad_event(6, incident="26-000002", status="enroute", at=LATER))
    assert planned(call__incident_number="26-000002", trigger=Trigger.ENROUTE) == {
        (Trigger.ENROUTE, "sms")
    }


@pytest.mark.django_db
def test_a_late_status_is_not_news(call_in):
    call_in(received(), cad_event(2, status="onscene", at=LATER))
    # The CAD sends the dispatch after the arrival: the call was past it already.
    call_in(cad_event(3, status="dispatched", at="2026-11-22T14:19:00-08:00"))
    assert not Outbox.objects.filter(trigger=Trigger.DISPATCHED).exists()


@pytest.mark.django_db
def test_a_call_that_is_over_gets_no_status_updates(call_in):
    call_in(
        received(),
        cad_event(2, status="dispatched", at=LATER),
        cad_event(3, status="cleared", at="2026-11-22T14:30:00-08:00"),
    )
    assert {t for t, _ in planned()} == {Trigger.CLEARED}


@pytest.mark.django_db
def test_report_taken_when_a_report_number_first_appears(call_in):
    call_in(received())
    call_in(cad_event(2, status="dispatched", at=LATER))
    assert not Outbox.objects.filter(trigger=Trigger.REPORT).exists()
    call_in(cad_event(3, status="onscene", at=LATER, report_number="26-004321"))
    assert planned(trigger=Trigger.REPORT) == {(Trigger.REPORT, "sms")}
    # Later events carrying the same number plan nothing more.
    call_in(
        cad_event(4, status="cleared", at="2026-11-22T15:00:00-08:00", report_number="26-004321")
    )
    assert Outbox.objects.filter(trigger=Trigger.REPORT).count() == 1


@pytest.mark.django_db
def test_disabled_rules_write_no_rows(call_in, agency):
    Rule.objects.filter(agency=agency, trigger=Trigger.DELAYED).update(enabled=False)
    call_in(received())
    assert {t for t, _ in planned()} == {Trigger.RECEIVED}


@pytest.mark.django_db
def test_conditions_on_call_type_priority_and_source(call_in, agency):
    received_rule = rule(agency, Trigger.RECEIVED)
    received_rule.call_types_in = ["415"]
    received_rule.save()
    call_in(received())  # 459R
    assert not Outbox.objects.filter(trigger=Trigger.RECEIVED).exists()
    call_in(received(2, incident="26-000002", call_type="415"))
    assert Outbox.objects.filter(trigger=Trigger.RECEIVED).count() == 1

    received_rule.call_types_in, received_rule.call_types_out = [], ["415"]
    received_rule.priority_codes = ["1"]
    received_rule.save()
    call_in(received(3, incident="26-000003", call_type="415", priority="1"))
    call_in(received(4, incident="26-000004", priority="2"))
    call_in(received(5, incident="26-000005", priority="1"))
    assert set(
        Outbox.objects.filter(trigger=Trigger.RECEIVED).values_list(
            "call__incident_number", flat=True
        )
    ) == {"26-000002", "26-000005"}

    received_rule.call_types_out, received_rule.priority_codes = [], []
    received_rule.sources = ["rms"]
    received_rule.save()
    call_in(received(6, incident="26-000006"))  # the fixture's feed is "cad"
    assert not Outbox.objects.filter(call__incident_number="26-000006").exclude(
        trigger=Trigger.DELAYED
    )
    rms = Feed(agency=agency, source="RMS", covered={agency.ori: agency})
    ingest(rms, [received(7, incident="26-000007")])
    assert Outbox.objects.filter(call__incident_number="26-000007", trigger=Trigger.RECEIVED)


@pytest.mark.django_db
def test_first_rule_by_position_wins_per_channel(call_in, agency):
    default = rule(agency, Trigger.RECEIVED)
    sms_only = Rule.objects.create(
        agency=agency, name="Burglary first text", trigger=Trigger.RECEIVED, position=1,
        call_types_in=["459R"], sms=True, email=False,
    )  # fmt: skip
    call_in(received(caller={"phone": PHONE, "email": "a@example.org", "language": "es"}))
    by_channel = {o.channel: o.rule_id for o in Outbox.objects.filter(trigger=Trigger.RECEIVED)}
    assert by_channel == {"sms": sms_only.pk, "email": default.pk}


@pytest.mark.django_db
def test_row_fields_come_from_the_rule(call_in, agency):
    sender = Sender.objects.create(agency=agency, label="Main", phone_number="+16615550100")
    call_in(received(caller={"phone": PHONE, "email": "a@example.org", "language": "es"}))
    first = Outbox.objects.get(trigger=Trigger.RECEIVED, channel="sms")
    assert first.rule == rule(agency, Trigger.RECEIVED) and first.sender == sender
    assert first.priority == 10 and first.language == "es" and first.state == State.PLANNED
    assert first.expires_at == first.due_at + timedelta(minutes=first.rule.valid_minutes)
    email = Outbox.objects.get(trigger=Trigger.RECEIVED, channel="email")
    assert email.sender is None and email.contact_id != first.contact_id
    delay = Outbox.objects.get(trigger=Trigger.DELAYED, channel="sms")
    assert delay.state == State.SCHEDULED
    assert delay.expires_at == delay.due_at + timedelta(minutes=60)


@pytest.mark.django_db
def test_excluded_calls_get_suppressed_rows_on_every_channel(call_in):
    call_in(received(call_type="273.5", caller={"phone": PHONE, "email": "a@example.org"}))
    rows = list(Outbox.objects.all())
    assert {o.channel for o in rows} == {"sms", "email"}
    assert all(o.state == State.SUPPRESSED and o.reason == "sensitive call type" for o in rows)


@pytest.mark.django_db
def test_one_query_reads_the_rules_of_every_agency_in_the_batch(feed, agency):
    from standins.builders import make_agency

    other = make_agency(slug="arvin", name="Arvin Police Department", ori="CA0150300")
    covering = Feed(agency=agency, source="cad", covered={agency.ori: agency, other.ori: other})
    events = [
        received(n, incident=f"26-{n:06d}", caller={"phone": f"661-555-{n:04d}"})
        for n in range(1, 41)
    ] + [
        received(100 + n, incident=f"26-{100 + n:06d}", ori=other.ori,
                 caller={"phone": f"661-556-{n:04d}"})
        for n in range(1, 11)
    ]  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        ingest(covering, events)
    rule_reads = [q for q in queries if 'FROM "notify_rule"' in q["sql"]]
    assert len(rule_reads) == 1
    assert Outbox.objects.filter(trigger=Trigger.RECEIVED).count() == 50
    assert Outbox.objects.filter(agency=other, rule__agency=other).count() == 20
