"""Email through a real SMTP server (aiosmtpd): multipart text and HTML, the headers, the
HTML made from the text, the language, and the provider id."""

import re

import pytest

from porchlight.notify.channels import Message
from porchlight.notify.channels.email import EmailChannel
from porchlight.notify.models import Outbox

BODY = (
    "Bakersfield Police Department: we received your call at 2:14 PM. Incident 26-000001.\n"
    "Track: https://pl.example/t/abc123\n\n"
    "Officers <b>will</b> come & help."
)


def send(row, **fields):
    message = Message(outbox_id=row.pk, to=row.contact.address, body=BODY, **fields)
    return EmailChannel().send(message)


def parts(received):
    message = received.message
    assert message.get_content_type() == "multipart/alternative"
    found = {
        part.get_content_type(): part.get_content().replace("\r\n", "\n")
        for part in message.iter_parts()
    }
    assert set(found) == {"text/plain", "text/html"}
    return message, found["text/plain"], found["text/html"]


@pytest.mark.django_db
def test_a_message_goes_as_text_and_html_with_its_headers(local_smtp, email_row, settings):
    settings.DEFAULT_FROM_EMAIL = "updates@pd.example.gov"
    settings.SITE_URL = "https://porchlight.pd.example.gov"
    row = email_row("caller@example.org")

    receipt = send(row, subject="Your call 26-000001")

    [received] = local_smtp.wait_for(1)
    assert received.rcpt_tos == ["caller@example.org"]
    assert received.mail_from == "updates@pd.example.gov"
    message, text, html = parts(received)
    assert message["Subject"] == "Your call 26-000001"
    assert message["From"] == "Bakersfield Police Department <updates@pd.example.gov>"
    assert message["To"] == "caller@example.org"
    assert message["Auto-Submitted"] == "auto-generated"
    # The Message-ID names the outbox row, and it is the provider id.
    message_id = message["Message-ID"]
    assert re.fullmatch(rf"<outbox-{row.pk}\.[0-9a-f]{{16}}@pd\.example\.gov>", message_id)
    assert receipt.provider_id == message_id.strip("<>")
    assert receipt.status == "sent"
    # RFC 8058 one-click unsubscribe.
    link = re.fullmatch(r"<(.+)>", message["List-Unsubscribe"].strip())[1]
    assert link.startswith("https://porchlight.pd.example.gov/notify/email/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The text part: the body as it was, then the footer.
    assert text.startswith(BODY)
    assert "In an emergency, call 911." in text and "661-327-7111" in text
    assert f"Unsubscribe: {link}" in text
    # The HTML part: escaped, links clickable, paragraphs, the footer with the same link.
    assert '<html lang="en" dir="ltr">' in html
    assert "<title>Your call 26-000001</title>" in html
    assert "Officers &lt;b&gt;will&lt;/b&gt; come &amp; help." in html
    assert "<b>will</b>" not in html
    assert '<a href="https://pl.example/t/abc123">https://pl.example/t/abc123</a>' in html
    assert html.count("<p>") == 2  # two paragraphs of body, the line break kept as <br>
    assert "Incident 26-000001.<br>" in html
    assert "In an emergency, call 911." in html
    assert f'<a href="{link}"' in html and "Unsubscribe from these emails" in html


@pytest.mark.django_db
def test_spanish_contacts_get_spanish_footers_and_a_subject_of_their_own(local_smtp, email_row):
    row = email_row("persona@example.org", language="es")

    send(row)

    message, text, html = parts(local_smtp.wait_for(1)[0])
    # No subject from the template: one naming the agency and the incident, in Spanish.
    incident = row.call.incident_number
    assert (
        message["Subject"]
        == f"Bakersfield Police Department: novedades sobre el incidente {incident}"
    )
    assert '<html lang="es" dir="ltr">' in html
    assert "En una emergencia, llame al 911." in text
    assert "En una emergencia, llame al 911." in html
    assert "Cancelar la suscripción a estos correos" in html


@pytest.mark.django_db
def test_html_from_the_template_goes_inside_the_layout_with_the_footer(local_smtp, email_row):
    row = email_row()

    send(row, subject="Update", html="<p>Made by a <strong>template</strong>.</p>")

    _message, text, html = parts(local_smtp.wait_for(1)[0])
    assert "<p>Made by a <strong>template</strong>.</p>" in html
    assert "Officers" not in html  # the text body is the text part only
    assert text.startswith(BODY)
    assert "Unsubscribe from these emails" in html


@pytest.mark.django_db
def test_a_resend_carries_the_same_message_id(local_smtp, email_row):
    """After a crash the row is sent again (SMTP cannot be asked); the same Message-ID lets
    mailbox providers treat the two as one message."""
    row = email_row()

    first = send(row)
    second = send(row)

    one, two = local_smtp.wait_for(2)
    assert one.message["Message-ID"] == two.message["Message-ID"]
    assert first.provider_id == second.provider_id


@pytest.mark.django_db
def test_lookup_cannot_ask_smtp_so_a_lost_send_is_sent_again(local_smtp, email_row):
    row = email_row()
    channel = EmailChannel()
    message = Message(outbox_id=row.pk, to="caller@example.org", body=BODY)

    assert channel.lookup(row.pk, None, message=message) is None
    # A provider webhook that recorded the id means the provider has the message.
    found = channel.lookup(row.pk, "provider-id-1", message=message)
    assert found is not None and found.provider_id == "provider-id-1"


@pytest.mark.django_db(transaction=True)
def test_a_long_from_domain_keeps_the_whole_message_id(local_smtp, email_row, settings):
    """A provider id cut short could match another message's; the column takes real ids."""
    settings.DEFAULT_FROM_EMAIL = "updates@notifications.police.cityofsanbuenaventura.ca.gov"
    row = email_row()

    receipt = send(row)

    message_id = local_smtp.wait_for(1)[0].message["Message-ID"].strip()
    assert len(message_id) > 64
    assert receipt.provider_id == message_id.strip("<>")
    # It is stored as it is (PostgreSQL refuses a value longer than the column).
    Outbox.objects.filter(pk=row.pk).update(provider_id=receipt.provider_id)
    assert Outbox.objects.get(provider_id=message_id.strip("<>")).pk == row.pk
