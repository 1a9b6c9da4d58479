"""Email through django-anymail's real Postmark backend, against a local Postmark-compatible
API: the provider's message id becomes the provider id, our headers and the outbox id go
along, and the provider's refusals mean what SMTP's do."""

import pytest

from porchlight.notify.channels import Message, PermanentError, TransientError
from porchlight.notify.channels.email import EmailChannel
from standins.smtp import free_port


def send(row, **fields):
    message = Message(outbox_id=row.pk, to=row.contact.address, body="Hello https://pl.example/t/x")
    return EmailChannel().send(message)


@pytest.mark.django_db
def test_the_providers_message_id_is_the_provider_id(local_postmark, email_row):
    row = email_row()

    receipt = send(row)

    [payload] = local_postmark.sent
    assert receipt.provider_id == local_postmark.message_ids[0]
    assert payload["To"] == "caller@example.org"
    assert "Hello" in payload["TextBody"] and "Unsubscribe" in payload["TextBody"]
    assert '<html lang="en"' in payload["HtmlBody"]
    headers = {h["Name"]: h["Value"] for h in payload["Headers"]}
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"].startswith(
        "<http://localhost:8000/notify/email/unsubscribe/"
    )
    # Postmark's webhooks return the metadata: a bounce names the row even without its id.
    assert payload["Metadata"] == {"outbox_id": str(row.pk)}


@pytest.mark.django_db
def test_an_address_the_provider_deactivated_stops_and_marks_the_contact(local_postmark, email_row):
    row = email_row("bounced@example.org")
    local_postmark.inactive.add("bounced@example.org")

    with pytest.raises(PermanentError) as refused:
        send(row)

    assert refused.value.marks_contact
    assert refused.value.reason == "suppressed_by_provider"
    assert local_postmark.sent == []


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "maybe_sent"), [(500, True), (503, False), (429, False)])
def test_provider_errors_retry(local_postmark, email_row, status, maybe_sent):
    row = email_row()
    local_postmark.status = status

    with pytest.raises(TransientError) as later:
        send(row)

    assert later.value.code == f"http_{status}"
    assert later.value.maybe_sent is maybe_sent


@pytest.mark.django_db
def test_a_wrong_token_is_kept_for_an_operator_to_fix(local_postmark, email_row, settings):
    row = email_row()
    settings.ANYMAIL = {**settings.ANYMAIL, "POSTMARK_SERVER_TOKEN": "wrong"}

    with pytest.raises(TransientError) as later:
        send(row)

    assert later.value.code == "http_401" and not later.value.maybe_sent


@pytest.mark.django_db
def test_an_unreachable_provider_cannot_have_the_message(local_postmark, email_row, settings):
    row = email_row()
    settings.ANYMAIL = {**settings.ANYMAIL, "POSTMARK_API_URL": f"http://127.0.0.1:{free_port()}/"}

    with pytest.raises(TransientError) as later:
        send(row)

    assert later.value.code == "connection_refused" and not later.value.maybe_sent
