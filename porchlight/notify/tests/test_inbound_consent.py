"""STOP and START texted to one of our numbers: an opt-out or opt-in for that sending number."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import pytest

from porchlight.notify import consent, pii
from porchlight.notify.models import Channel, ConsentChange, Inbound, OptOut, Sender
from standins.twilio_local.server import inbound_params

PATH = "/notify/sms/inbound/"
CALLER = "+16615550142"
OURS = "+16615550100"
SERVICE = "MG" + "b" * 32
_sids = itertools.count(1)


@pytest.fixture
def text(twilio_post):
    """Text `body` from CALLER to one of our numbers; returns the answers in the TwiML."""

    def send(body, to=OURS, **extra):
        params = inbound_params(f"SM{next(_sids):032d}", CALLER, body, to=to, **extra)
        response = twilio_post(PATH, params)
        assert response.status_code == 200, response.content
        return [m.text for m in ET.fromstring(response.content).iter("Message")]

    return send


def opted_out(sender_key):
    return consent.opted_out(Channel.SMS, pii.lookup_hash(CALLER), sender_key)


@pytest.fixture
def long_code(agency):
    return Sender.objects.create(agency=agency, label="Main", phone_number=OURS)


@pytest.mark.django_db
def test_stop_opts_out_of_the_number_it_was_sent_to_and_twilio_confirms(text, long_code, agency):
    other = Sender.objects.create(agency=agency, label="Other", phone_number="+16615550199")

    assert text("Stop.") == []  # Twilio answers STOP itself on a long code

    assert opted_out(OURS) and not opted_out(other.phone_number)
    [change] = ConsentChange.objects.all()
    assert (change.action, change.source, change.sender) == ("opt_out", "sms:STOP", OURS)
    assert change.address_hash == pii.lookup_hash(CALLER)
    assert Inbound.objects.get().kind == Inbound.Kind.STOP


@pytest.mark.django_db
def test_a_repeated_stop_is_logged_once(text, long_code):
    text("STOP")
    text("stop")
    assert ConsentChange.objects.count() == 1
    assert Inbound.objects.filter(kind=Inbound.Kind.STOP).count() == 2


@pytest.mark.django_db
def test_start_opts_back_in_and_only_lifts_what_there_was(text, long_code):
    assert text("START") == []
    assert not ConsentChange.objects.exists()  # nothing to lift

    text("QUIT")
    assert text("unstop") == []

    assert not opted_out(OURS)
    assert list(ConsentChange.objects.order_by("at", "id").values_list("action", "source")) == [
        ("opt_out", "sms:QUIT"),
        ("opt_in", "sms:UNSTOP"),
    ]


@pytest.mark.django_db
def test_spanish_keywords_are_ours_to_confirm(text, long_code):
    [answer] = text("¡Alto!")
    # Accents written plain: one GSM-7 segment instead of two in UCS-2 (the agency's default).
    assert answer == (
        "Bakersfield PD: no recibira mas mensajes de este numero. "
        "Responda START para volver a recibirlos."
    )
    assert opted_out(OURS)

    [answer] = text("Comenzar")
    assert answer.startswith("Bakersfield PD: volvera a recibir mensajes")
    assert not opted_out(OURS)


@pytest.mark.django_db
def test_a_short_code_confirms_every_keyword_itself(text, agency):
    Sender.objects.create(
        agency=agency, label="Short", phone_number="87654", profile=Sender.Profile.SHORT_CODE
    )

    assert text("STOP", to="87654") == [
        "Bakersfield PD: you will get no more texts from this number. "
        "Reply START to get them again."
    ]
    assert opted_out("87654")
    assert text("START", to="87654") == [
        "Bakersfield PD: you will get texts about your calls again. Reply STOP to opt out."
    ]


@pytest.mark.django_db
def test_a_messaging_service_number_opts_out_of_the_whole_service(text, agency):
    Sender.objects.create(agency=agency, label="Pool", messaging_service_sid=SERVICE)

    text("cancel", to="+16615550177", messaging_service_sid=SERVICE)

    assert opted_out(SERVICE)
    assert Inbound.objects.get().agency == agency


@pytest.mark.django_db
def test_the_configured_default_sender_when_no_sender_row_matches(text, settings, agency):
    settings.TWILIO_FROM_NUMBER = OURS
    settings.TWILIO_MESSAGING_SERVICE_SID = ""

    text("END")

    assert opted_out(consent.sender_key(Channel.SMS, None)) and opted_out(OURS)
    assert Inbound.objects.get().agency == agency  # the only agency there is


@pytest.mark.django_db
def test_stop_to_a_number_we_do_not_know_still_holds_keyed_by_that_number(text, agency):
    assert text("STOP", to="+12025550123") == []

    assert opted_out("+12025550123")
    row = Inbound.objects.get()
    assert row.agency is None and row.kind == Inbound.Kind.STOP

    assert text("PARAR", to="+12025550123") == [
        "No recibira mas mensajes de este numero. Responda START para volver a recibirlos."
    ]


@pytest.mark.django_db
def test_twilios_advanced_opt_out_type_is_honoured_and_not_answered_again(text, long_code):
    # An operator added BASTA to the messaging service's opt-out words: Twilio blocked the
    # number, answered it, and tells us with OptOutType.
    assert text("Basta", opt_out_type="STOP") == []
    assert opted_out(OURS)
    assert ConsentChange.objects.get().source == "sms:STOP"
    assert text("AYUDA", opt_out_type="HELP") == []


@pytest.mark.django_db
def test_a_sentence_with_stop_in_it_is_a_reply(text, long_code):
    [answer] = text("please don't stop the updates")
    assert answer.startswith("Bakersfield PD: this number is not monitored.")
    assert not OptOut.objects.exists()
    assert Inbound.objects.get().kind == Inbound.Kind.REPLY
