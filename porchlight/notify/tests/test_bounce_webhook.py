"""Postmark's bounce, complaint and delivery webhooks through anymail's real tracking view:
the payloads are Postmark's own shapes, posted with the webhook's basic-auth secret."""

import base64
import json

import pytest

from porchlight.notify import consent
from porchlight.notify.models import ConsentChange, Contact, OptOut, Outbox, State

URL = "/anymail/postmark/tracking/"
SECRET = "postmark:s3cret-webhook-password"
MESSAGE_ID = "883953f4-6105-42a2-a16a-77a8eac79483"


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET}


def post(client, payload, auth=SECRET):
    headers = {}
    if auth is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
    return client.post(URL, json.dumps(payload), content_type="application/json", headers=headers)


def bounce(kind="HardBounce", email="caller@example.org", message_id=MESSAGE_ID, **extra):
    """Postmark's Bounce webhook (https://postmarkapp.com/developer/webhooks/bounce-webhook)."""
    names = {
        "HardBounce": "Hard bounce",
        "SoftBounce": "Soft bounce",
        "SpamComplaint": "Spam complaint",
    }
    return {
        "RecordType": "SpamComplaint" if kind == "SpamComplaint" else "Bounce",
        "MessageStream": "outbound",
        "ID": 4323372036854775807,
        "Type": kind,
        "TypeCode": {"HardBounce": 1, "SoftBounce": 4096, "SpamComplaint": 512}[kind],
        "Name": names[kind],
        "Tag": "",
        "MessageID": message_id,
        "Metadata": {},
        "ServerID": 23,
        "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email,
        "From": "porchlight@localhost",
        "BouncedAt": "2026-11-22T22:20:54.9070259Z",
        "DumpAvailable": True,
        "Inactive": kind != "SoftBounce",
        "CanActivate": True,
        "Subject": "Bakersfield Police Department: an update on incident 26-000001",
        **extra,
    }


def delivery(message_id=MESSAGE_ID, email="caller@example.org", **extra):
    return {
        "RecordType": "Delivery",
        "ServerID": 23,
        "MessageStream": "outbound",
        "MessageID": message_id,
        "Recipient": email,
        "Tag": "",
        "DeliveredAt": "2026-11-22T22:20:54.9070259Z",
        "Details": "Test delivery webhook details",
        "Metadata": {},
        **extra,
    }


@pytest.fixture
def sent(email_row):
    """An email the provider accepted, and the same address as a contact of a second call."""
    return email_row("caller@example.org", state=State.SENT, provider_id=MESSAGE_ID)


@pytest.mark.django_db
def test_a_hard_bounce_marks_the_address_and_fails_the_message(client, sent):
    r = post(client, bounce("HardBounce"))

    assert r.status_code == 200
    row = Outbox.objects.get(pk=sent.pk)
    assert row.state == State.FAILED
    assert row.error_code == "bounce"
    assert row.reason == "hard bounce reported by the email provider"
    contact = Contact.objects.get(pk=sent.contact_id)
    assert contact.undeliverable == "hard_bounce"
    [change] = ConsentChange.objects.all()
    assert (change.action, change.source, change.detail) == ("marked", "bounce", "hard_bounce")

    # Postmark retries a webhook it thinks failed: nothing happens twice.
    assert post(client, bounce("HardBounce")).status_code == 200
    assert ConsentChange.objects.count() == 1


@pytest.mark.django_db
def test_a_complaint_marks_the_address_and_opts_it_out(client, sent):
    r = post(client, bounce("SpamComplaint"))

    assert r.status_code == 200
    assert Contact.objects.get(pk=sent.contact_id).undeliverable == "complaint"
    assert consent.opted_out("email", sent.contact.address_hash, consent.sender_key("email", None))
    assert set(ConsentChange.objects.values_list("action", "source")) == {
        ("marked", "complaint"),
        ("opt_out", "complaint"),
    }
    # The message itself was delivered; the complaint came after.
    assert Outbox.objects.get(pk=sent.pk).state == State.SENT


@pytest.mark.django_db
def test_a_long_message_id_in_angle_brackets_is_found(client, email_row):
    """Providers that keep our Message-ID report it whole, brackets and all."""
    long_id = "<outbox-7.0123456789abcdef@notifications.police.cityofsanbuenaventura.ca.gov>"
    row = email_row(state=State.SENT, provider_id=long_id.strip("<>"))

    post(client, bounce("HardBounce", message_id=long_id))

    assert Outbox.objects.get(pk=row.pk).state == State.FAILED


@pytest.mark.django_db
def test_a_soft_bounce_is_only_logged(client, sent, caplog):
    r = post(client, bounce("SoftBounce"))

    assert r.status_code == 200
    assert Outbox.objects.get(pk=sent.pk).state == State.SENT
    assert Contact.objects.get(pk=sent.contact_id).undeliverable == ""
    assert not ConsentChange.objects.exists()
    assert "soft bounce" in caplog.text


@pytest.mark.django_db
def test_delivery_is_recorded(client, sent):
    assert post(client, delivery()).status_code == 200

    row = Outbox.objects.get(pk=sent.pk)
    assert row.state == State.DELIVERED and row.delivered_at is not None


@pytest.mark.django_db
def test_every_contact_with_the_address_is_marked(client, sent, email_row):
    """One address can be a contact of several agencies (consolidated dispatch)."""
    from porchlight.notify import pii
    from standins.builders import make_agency

    other_agency = make_agency(slug="kern", name="Kern County Sheriff", ori="CA0150000")
    other = Contact.objects.create(
        agency=other_agency, channel="email", address_hash=sent.contact.address_hash,
        address_enc=pii.encrypt("caller@example.org"),
    )  # fmt: skip

    post(client, bounce("HardBounce"))

    assert Contact.objects.get(pk=other.pk).undeliverable == "hard_bounce"


@pytest.mark.django_db
def test_a_bounce_for_a_row_a_crash_left_sending_finds_it_by_the_outbox_id(client, email_row):
    """The provider accepted it, the worker died before storing the provider's id."""
    row = email_row(state=State.SENDING, claimed_by="dead-worker")

    post(client, bounce("HardBounce", Metadata={"outbox_id": str(row.pk)}))

    row.refresh_from_db()
    assert row.state == State.FAILED
    assert row.provider_id == MESSAGE_ID
    assert row.claimed_by == ""


@pytest.mark.django_db
def test_an_outbox_id_for_another_address_is_not_trusted(client, email_row):
    row = email_row(state=State.SENDING, claimed_by="w")

    post(
        client,
        bounce("HardBounce", email="someone.else@example.org", Metadata={"outbox_id": str(row.pk)}),
    )

    row.refresh_from_db()
    assert row.state == State.SENDING


@pytest.mark.django_db
@pytest.mark.parametrize(
    "auth", [None, "postmark:wrong-password", "someone:s3cret-webhook-password"]
)
def test_a_webhook_without_the_secret_changes_nothing(client, sent, auth):
    r = post(client, bounce("HardBounce"), auth=auth)

    assert r.status_code == 400
    assert b"basic auth" in r.content
    assert Outbox.objects.get(pk=sent.pk).state == State.SENT
    assert Contact.objects.get(pk=sent.contact_id).undeliverable == ""
    assert not ConsentChange.objects.exists() and not OptOut.objects.exists()


@pytest.mark.django_db
def test_without_a_configured_secret_every_webhook_is_refused(client, sent, settings):
    """Without ANYMAIL_WEBHOOK_SECRET, settings make a random one: anymail would otherwise
    accept posts from anyone."""
    from porchlight import settings as configured

    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": configured.ANYMAIL["WEBHOOK_SECRET"]}

    for auth in (None, "postmark:", ":", "anymail:anymail"):
        assert post(client, bounce("HardBounce"), auth=auth).status_code == 400
    assert Outbox.objects.get(pk=sent.pk).state == State.SENT


@pytest.mark.django_db
def test_a_payload_that_is_not_json_is_a_400(client, sent):
    headers = {"Authorization": "Basic " + base64.b64encode(SECRET.encode()).decode()}

    for body in ("not json", "[1, 2]", '"a string"'):
        r = client.post(URL, body, content_type="application/json", headers=headers)
        assert r.status_code == 400
        assert r.content.startswith(b"unreadable payload")
    assert Outbox.objects.get(pk=sent.pk).state == State.SENT
