"""At send time a row's words come from its rule's template, in the contact's language."""

import pytest

from porchlight.calls.models import Call
from porchlight.notify import plan, texts
from porchlight.notify.channels.dev import DevInbox
from porchlight.notify.models import DevMessage, Outbox, Rule, Template, Trigger
from porchlight.notify.tests.conftest import PHONE, received
from porchlight.notify.tests.test_plan_message import contact
from porchlight.notify.worker import Worker
from standins.builders import cad_event

TRACK = "https://pl.example/t/abc"


def composed(trigger=Trigger.RECEIVED, channel="sms"):
    row = Outbox.objects.select_related("call__agency").get(trigger=trigger, channel=channel)
    return texts.compose(row, row.call, TRACK)


def template(agency, trigger, language):
    return Template.objects.get(rule__agency=agency, rule__trigger=trigger, language=language)


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_agencys_edited_words(call_in, agency):
    words = template(agency, Trigger.RECEIVED, "en")
    words.body = (
        "{{ agency }} got your call {{ incident_number }} at {{ call_time }}. {{ opt_out }}"
    )
    words.save()
    call_in(received())
    worker = Worker({"sms": DevInbox("sms")}, name="w", track_url=lambda call: TRACK)
    worker.run_once()
    worker._pool.shutdown()
    assert DevMessage.objects.get().body == (
        "Bakersfield PD got your call 26-000001 at 2:14 PM. Reply STOP to opt out."
    )


@pytest.mark.django_db
def test_language_falls_back_to_the_agency_default_then_english(call_in, agency):
    call_in(received(caller={"phone": PHONE, "language": "es-MX"}))
    assert "Bakersfield PD tiene su llamada 26-000001" in composed().body
    assert "Responda STOP para salir." in composed().body

    Outbox.objects.all().delete()
    Call.objects.all().delete()
    agency.languages = ["es", "en"]
    agency.save()
    call_in(received(2, caller={"phone": PHONE, "language": "tl"}))
    assert "tiene su llamada" in composed().body

    # An agency adds a language by writing its template.
    rule = Rule.objects.get(agency=agency, trigger=Trigger.RECEIVED)
    rule.templates.create(
        language="vi", body="{{ agency }}: đã nhận cuộc gọi {{ incident_number }}"
    )
    Outbox.objects.all().delete()
    Call.objects.all().delete()
    call_in(received(3, caller={"phone": PHONE, "language": "vi"}))
    assert composed().body == "Bakersfield PD: đã nhận cuộc gọi 26-000001"


@pytest.mark.django_db
def test_rows_without_a_rule_use_the_triggers_rule_then_the_defaults(call_in, agency):
    call_in(received())
    Outbox.objects.update(rule=None)
    words = template(agency, Trigger.RECEIVED, "en")
    words.body = "Own words for {{ incident_number }}."
    words.save()
    assert composed().body == "Own words for 26-000001."
    Rule.objects.filter(agency=agency).delete()
    body = composed().body
    assert body.startswith(f"Bakersfield PD got your call 26-000001: {TRACK}")
    assert "Reply STOP to opt out." in body


@pytest.mark.django_db
def test_sms_is_normalised_and_email_keeps_its_typography(call_in, agency):
    words = template(agency, Trigger.RECEIVED, "en")
    words.body = "We’re on it — call {{ incident_number }}… {{ opt_out }}"
    words.subject = "{{ agency }} – {{ incident_number }}"
    words.save()
    call_in(received(caller={"phone": PHONE, "email": "a@example.org", "language": "en"}))
    sms = composed()
    assert sms.body == "We're on it - call 26-000001... Reply STOP to opt out."
    email = composed(channel="email")
    assert email.body == "We’re on it — call 26-000001…"  # no STOP: email has its own link
    assert email.subject == "Bakersfield Police Department – 26-000001"


@pytest.mark.django_db
def test_cleared_and_report_texts_carry_the_outcome(call_in):
    call_in(
        received(),
        cad_event(2, status="cleared", at="2026-11-22T14:30:00-08:00", disposition="GOA",
                  report_number="26-004321"),
    )  # fmt: skip
    cleared = composed(Trigger.CLEARED).body
    # With a report number the closing text says it (the disposition is for calls without).
    assert "Report 26-004321 was taken; for a copy call 661-327-7111" in cleared
    report = composed(Trigger.REPORT).body
    assert "Report 26-004321 was taken; for a copy call 661-327-7111" in report
    Call.objects.update(report_number="")
    assert "did not find anyone" in composed(Trigger.CLEARED).body


@pytest.mark.django_db
def test_a_message_without_a_call_renders_its_context(agency):
    rule = Rule.objects.create(agency=agency, name="Survey", trigger=Trigger.SURVEY)
    rule.templates.create(language="es", body="{{ agency }}: ¿cómo lo hicimos? {{ survey_url }}")
    row = plan.message(
        agency, contact(agency), Trigger.SURVEY, dedupe="s1", language="es",
        context={"survey_url": "https://pl.example/s/abc"},
    )  # fmt: skip
    row = Outbox.objects.get(pk=row.pk)
    assert texts.compose(row, None, None).body == (
        "Bakersfield PD: ¿cómo lo hicimos? https://pl.example/s/abc"
    )


@pytest.mark.django_db
def test_a_template_that_fails_at_send_time_says_why(call_in, agency):
    # Written past the admin's check (a shell, an import): the worker still must not guess.
    words = template(agency, Trigger.RECEIVED, "en")
    words.body = "{{ agency.__class__ }}"
    words.save()
    call_in(received())
    with pytest.raises(texts.CannotCompose, match="template \\(en\\) failed"):
        composed()
    words.body = "{% if report_number %}x{% endif %}"
    words.save()
    with pytest.raises(texts.CannotCompose, match="empty"):
        composed()
