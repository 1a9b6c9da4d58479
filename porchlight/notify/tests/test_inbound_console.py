"""/console/replies/: texts people sent us and the consent log, per agency, masked, audited."""

from __future__ import annotations

import itertools
import re

import pytest
from django.test import Client

from porchlight.audit.models import AuditEntry
from porchlight.notify import consent, pii
from porchlight.notify.models import Channel, Contact, Inbound, Sender
from standins.browser import client_login, make_staff
from standins.builders import make_agency
from standins.twilio_local.server import inbound_params

PAGE = "/console/replies/"
CALLER = "+16615550142"
OURS = "+16615550100"
THEIRS = "+16615550300"
_sids = itertools.count(1)


@pytest.fixture
def other(db):
    return make_agency("delano", "Delano Police Department", "CA0150300")


@pytest.fixture
def texts(agency, other, twilio_post):
    """Texts to both agencies' numbers, through the real webhook."""
    Sender.objects.create(agency=agency, label="Main", phone_number=OURS)
    Sender.objects.create(agency=other, label="Delano", phone_number=THEIRS)
    for a in (agency, other):
        Contact.objects.create(
            agency=a,
            channel=Channel.SMS,
            address_hash=pii.lookup_hash(CALLER),
            address_enc=pii.encrypt(CALLER),
        )

    def send(body, to=OURS):
        params = inbound_params(f"SM{next(_sids):032d}", CALLER, body, to=to)
        assert twilio_post("/notify/sms/inbound/", params).status_code == 200

    send("The car is still parked outside")
    send("STOP")
    send("Delano only: my dog got out", to=THEIRS)
    send("PARAR", to=THEIRS)
    return send


def bodies(page):
    """The texts shown, top to bottom."""
    return re.findall(r'<p class="bubble-body">(.*?)</p>', page)


def audits():
    return AuditEntry.objects.filter(action="notify.inbound.read")


@pytest.mark.django_db
def test_staff_see_their_agencys_texts_masked_and_the_read_is_audited(staff_client, texts):
    client = staff_client("readonly")

    page = client.get(PAGE).content.decode()

    assert "The car is still parked outside" in page
    assert "Delano only" not in page  # another agency's number
    assert "…0142" in page and "555-0142" not in page
    ours = list(Inbound.objects.filter(sender=OURS).order_by("-received_at", "-id"))
    [entry] = audits()
    assert entry.actor == client.login_info.user
    assert entry.changes == {"inbound": [row.pk for row in ours], "kind": ""}
    assert bodies(page) == ["STOP", "The car is still parked outside"]  # newest first


@pytest.mark.django_db
def test_the_consent_log_shows_changes_to_the_agencys_messages_only(staff_client, texts, agency):
    page = staff_client().get(PAGE).content.decode()

    assert "sms:STOP" in page and OURS in page
    assert "sms:PARAR" not in page  # an opt-out from Delano's number is not ours to see


@pytest.mark.django_db
def test_a_mark_applies_to_every_sender_and_is_shown(staff_client, texts, agency):
    contact = Contact.objects.get(agency=agency)
    consent.mark(contact, "landline", "status-callback:30006")

    page = staff_client().get(PAGE, {"action": "marked"}).content.decode()

    assert "status-callback:30006" in page and "landline" in page
    assert "sms:STOP" not in page  # filtered out


@pytest.mark.django_db
def test_filter_by_kind(staff_client, texts):
    client = staff_client()

    page = client.get(PAGE, {"kind": "reply"}).content.decode()

    assert bodies(page) == ["The car is still parked outside"]
    assert audits().get().changes["kind"] == "reply"


@pytest.mark.django_db
def test_a_bad_filter_is_a_400_with_the_reason_and_reads_nothing(staff_client, texts):
    response = staff_client().get(PAGE, {"kind": "everything"})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not audits().exists()


@pytest.mark.django_db
def test_nothing_shown_nothing_audited(staff_client):
    page = staff_client().get(PAGE).content.decode()
    assert "No texts received." in page and "No consent changes." in page
    assert not audits().exists()


@pytest.mark.django_db
def test_a_platform_superuser_sees_every_agency_and_unknown_numbers(texts, twilio_post):
    texts("hello?", to="+12025550123")
    login = make_staff(make_agency("kern", "Kern County Sheriff", "CA0150000"), username="root")
    login.user.staff.delete()
    login.user.is_superuser = True
    login.user.save()
    client = Client()
    client_login(client, login)

    page = client.get(PAGE).content.decode()

    assert "Delano only" in page and "The car is still parked outside" in page
    assert "(unknown number)" in page
    assert audits().get().agency is None


@pytest.mark.django_db
def test_signed_out_is_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
