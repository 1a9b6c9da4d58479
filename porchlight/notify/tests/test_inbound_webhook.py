"""POST /notify/sms/inbound/: Twilio's signed incoming-message webhook, answered with TwiML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from porchlight.notify import pii
from porchlight.notify.models import ConsentChange, Inbound, OptOut, Sender
from standins.twilio_local.server import inbound_params

PATH = "/notify/sms/inbound/"
CALLER = "+16615550142"
OURS = "+16615550100"


def answers(response) -> list[str]:
    """The <Message> texts of a TwiML answer."""
    assert response["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "Response"
    return [message.text or "" for message in root.iter("Message")]


@pytest.fixture
def sender(agency):
    return Sender.objects.create(agency=agency, label="Main", phone_number=OURS)


@pytest.fixture
def twilio_settings(settings, live_server, local_twilio):
    settings.SITE_URL = live_server.url
    settings.TWILIO_AUTH_TOKEN = local_twilio.auth_token
    return settings


@pytest.mark.django_db(transaction=True)
def test_the_local_twilio_posts_a_reply_and_gets_the_automatic_answer(
    twilio_settings, live_server, local_twilio, sender
):
    status, body = local_twilio.simulate_inbound(
        CALLER, "Is anyone coming? It's been an hour", to=OURS, url=f"{live_server.url}{PATH}"
    )

    assert status == 200
    [message] = [m.text for m in ET.fromstring(body).iter("Message")]
    assert message == (
        "Bakersfield PD: this number is not monitored. In an emergency call 911; otherwise call "
        "661-327-7111. Reply STOP to opt out."
    )
    row = Inbound.objects.get()
    assert row.kind == Inbound.Kind.REPLY and row.answer == message
    assert row.provider_id == local_twilio.messages()[0]["sid"]
    assert row.agency == sender.agency and row.sender == OURS


@pytest.mark.django_db(transaction=True)
def test_a_bad_signature_is_refused_and_nothing_is_recorded(
    twilio_settings, live_server, local_twilio, sender
):
    status, body = local_twilio.simulate_inbound(
        CALLER, "STOP", to=OURS, url=f"{live_server.url}{PATH}", valid_signature=False
    )

    assert (status, body) == (403, "invalid signature")
    assert not Inbound.objects.exists()
    assert not OptOut.objects.exists()


@pytest.mark.django_db
def test_a_twilio_retry_gets_the_same_answer_and_changes_nothing_twice(twilio_post, sender):
    params = inbound_params("SM" + "1" * 32, CALLER, "PARAR", to=OURS)

    first = twilio_post(PATH, params)
    again = twilio_post(PATH, params)

    assert first.status_code == again.status_code == 200
    assert answers(first) == answers(again) != []
    assert Inbound.objects.count() == 1
    assert ConsentChange.objects.count() == 1
    assert OptOut.objects.count() == 1


@pytest.mark.django_db
def test_the_body_and_number_are_stored_encrypted(twilio_post, sender):
    twilio_post(
        PATH, inbound_params("SM" + "2" * 32, CALLER, "My neighbor Ana Ruiz again", to=OURS)
    )

    row = Inbound.objects.get()
    assert b"Ana Ruiz" not in bytes(row.body_enc)
    assert row.body == "My neighbor Ana Ruiz again"
    assert row.address == CALLER and CALLER.encode() not in bytes(row.address_enc)
    assert row.address_hash == pii.lookup_hash(CALLER)


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["MessageSid", "From", "To"])
def test_a_signed_request_without_what_we_need_is_a_400_with_the_reason(
    twilio_post, sender, missing
):
    params = inbound_params("SM" + "3" * 32, CALLER, "hi", to=OURS)
    del params[missing]

    response = twilio_post(PATH, params)

    assert response.status_code == 400
    assert response.content.decode() == f"missing {missing}"
    assert not Inbound.objects.exists()


@pytest.mark.django_db
def test_a_number_in_a_messaging_service_needs_no_to(twilio_post, agency):
    Sender.objects.create(agency=agency, label="Pool", messaging_service_sid="MG" + "a" * 32)
    params = inbound_params("SM" + "4" * 32, CALLER, "hello", messaging_service_sid="MG" + "a" * 32)
    del params["To"]

    assert twilio_post(PATH, params).status_code == 200
    assert Inbound.objects.get().agency == agency


@pytest.mark.django_db
def test_get_is_not_allowed_and_an_unsigned_post_is_refused(client, settings, sender):
    settings.TWILIO_AUTH_TOKEN = "token"
    assert client.get(PATH).status_code == 405
    response = client.post(PATH, inbound_params("SM" + "5" * 32, CALLER, "STOP", to=OURS))
    assert response.status_code == 403
    assert not OptOut.objects.exists()
