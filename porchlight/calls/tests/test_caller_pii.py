import pytest
from django.db import connection

from porchlight.calls.models import Call, Event
from porchlight.notify.models import Contact
from standins.builders import cad_event


@pytest.mark.django_db
def test_caller_phone_and_email_are_encrypted_and_deduplicated(send):
    send(
        cad_event(
            1,
            incident="A",
            caller={"phone": "(661) 555-0123", "email": "Ana@Example.org", "language": "es"},
        ),
        cad_event(2, incident="B", caller={"phone": "+1 661 555 0123"}),
    )
    phone = Contact.objects.get(channel="sms")
    assert phone.address == "+16615550123"
    assert Contact.objects.get(channel="email").address == "ana@example.org"
    assert (
        Call.objects.get(incident_number="A").caller_phone
        == phone
        == Call.objects.get(incident_number="B").caller_phone
    )
    assert Call.objects.get(incident_number="A").caller_language == "es"
    with connection.cursor() as cursor:
        cursor.execute("SELECT address_enc FROM notify_contact")
        blobs = [bytes(row[0]) for row in cursor.fetchall()]
    assert all(b"5550123" not in blob and b"example" not in blob for blob in blobs)


@pytest.mark.django_db
def test_event_log_keeps_no_caller_phone_or_email(send):
    send(cad_event(1, caller={"phone": "661-555-0123", "email": "a@example.org", "language": "en"}))
    payload = Event.objects.get().payload
    assert payload["caller"] == {"language": "en"}
    assert "555-0123" not in str(payload) and "example" not in str(payload)
