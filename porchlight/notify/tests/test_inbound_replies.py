"""Replies and HELP: the immediate answer, in the caller's language, with the agency's numbers."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from porchlight.calls.models import Call
from porchlight.notify import pii
from porchlight.notify.models import (
    Accents,
    Channel,
    Contact,
    DeliverySettings,
    Inbound,
    Outbox,
    Sender,
    State,
    Trigger,
)
from standins.builders import make_agency
from standins.twilio_local.server import inbound_params

PATH = "/notify/sms/inbound/"
CALLER = "+16615550142"
OURS = "+16615550100"
# Every answer to a reply names the agency (its short name) and carries the whole notice.
NOT_MONITORED_EN = (
    "Bakersfield PD: this number is not monitored. In an emergency call 911; otherwise call "
    "661-327-7111. Reply STOP to opt out."
)
# Accents written plain when that saves a segment (DeliverySettings.accents, the default).
NOT_MONITORED_ES = (
    "Bakersfield PD: este numero no esta vigilado. En una emergencia llame al 911; si no, "
    "llame al 661-327-7111. Responda STOP para darse de baja."
)
_sids = itertools.count(1)


@pytest.fixture
def text(twilio_post):
    def send(body, to=OURS):
        response = twilio_post(PATH, inbound_params(f"SM{next(_sids):032d}", CALLER, body, to=to))
        assert response.status_code == 200, response.content
        return [m.text for m in ET.fromstring(response.content).iter("Message")]

    return send


@pytest.fixture
def sender(agency):
    return Sender.objects.create(agency=agency, label="Main", phone_number=OURS)


def contact_of(agency):
    return Contact.objects.create(
        agency=agency,
        channel=Channel.SMS,
        address_hash=pii.lookup_hash(CALLER),
        address_enc=pii.encrypt(CALLER),
    )


def call_from(contact, incident, language, hours_ago):
    at = timezone.now() - timedelta(hours=hours_ago)
    return Call.objects.create(
        agency=contact.agency,
        incident_number=incident,
        first_event_at=at,
        last_event_at=at,
        caller_phone=contact,
        caller_language=language,
    )


@pytest.mark.django_db
def test_a_reply_gets_the_not_monitored_answer_and_is_logged_for_staff(text, sender, agency):
    contact = contact_of(agency)

    assert text("There is a man in my yard again!") == [NOT_MONITORED_EN]

    row = Inbound.objects.get()
    assert row.kind == Inbound.Kind.REPLY
    assert row.contact == contact and row.agency == agency
    assert row.body == "There is a man in my yard again!"
    assert row.answer == NOT_MONITORED_EN


@pytest.mark.django_db
def test_the_answer_is_in_the_language_of_the_callers_latest_call(text, sender, agency):
    contact = contact_of(agency)
    call_from(contact, "26-000001", "en", hours_ago=30)
    call_from(contact, "26-000002", "es", hours_ago=2)

    assert text("¿Cuándo llega la patrulla?") == [NOT_MONITORED_ES]


@pytest.mark.django_db
def test_without_a_call_the_agency_default_language(text, sender, agency):
    agency.languages = ["es", "en"]
    agency.save()

    assert text("hola") == [NOT_MONITORED_ES]

    # An agency that keeps its accents gets them, at UCS-2's price.
    DeliverySettings.objects.create(agency=agency, accents=Accents.KEEP)
    assert text("hola?") == [
        "Bakersfield PD: este número no está vigilado. En una emergencia llame al 911; si no, "
        "llame al 661-327-7111. Responda STOP para darse de baja."
    ]


@pytest.mark.django_db
def test_help_names_the_agency_and_its_non_emergency_number(text, sender):
    [answer] = text("HELP")
    assert answer == (
        "Bakersfield PD: texts about your call. Not monitored. In an emergency "
        "call 911; otherwise call 661-327-7111. Reply STOP to opt out."
    )
    assert Inbound.objects.get().kind == Inbound.Kind.HELP

    [answer] = text("ayuda")
    assert answer.startswith("Bakersfield PD: mensajes sobre su llamada.")
    assert "llame al 661-327-7111" in answer


@pytest.mark.django_db
def test_the_agency_is_the_one_owning_the_number(text, sender):
    other = make_agency("delano", "Delano Police Department", "CA0150300",
                        non_emergency_number="661-721-3377")  # fmt: skip
    Sender.objects.create(agency=other, label="Delano", phone_number="+16615550300")

    [answer] = text("anyone there?", to="+16615550300")

    assert answer.startswith("Delano Police Department: this number is not monitored.")
    assert "otherwise call 661-721-3377." in answer
    assert Inbound.objects.get().agency == other


@pytest.mark.django_db
def test_a_number_we_do_not_know_gets_a_generic_answer_in_both_languages(text, agency):
    make_agency("delano", "Delano Police Department", "CA0150300")  # two agencies: no guess

    assert text("hello?", to="+12025550123") == [
        "This number is not monitored. In an emergency call 911. Reply STOP to opt out. "
        "Este numero no esta vigilado. En una emergencia llame al 911. Responda STOP para "
        "darse de baja."
    ]
    row = Inbound.objects.get()
    assert row.agency is None and row.contact is None and row.sender == "+12025550123"


@pytest.mark.django_db
def test_on_the_default_sender_the_agency_that_last_texted_the_number_answers(
    text, settings, agency
):
    settings.TWILIO_FROM_NUMBER = OURS
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    other = make_agency("delano", "Delano Police Department", "CA0150300",
                        non_emergency_number="661-721-3377")  # fmt: skip
    now = timezone.now()
    for n, (who, sent) in enumerate([(agency, now - timedelta(days=2)), (other, now)]):
        Outbox.objects.create(
            agency=who, contact=contact_of(who), channel=Channel.SMS, trigger=Trigger.RECEIVED,
            dedupe_key=f"test:{n}", due_at=sent, sent_at=sent, state=State.SENT,
        )  # fmt: skip

    [answer] = text("who is this?")

    assert answer.startswith("Delano Police Department: this number is not monitored.")
    assert "otherwise call 661-721-3377." in answer
    assert Inbound.objects.get().agency == other
