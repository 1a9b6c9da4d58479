"""What a real SMTP server's refusals and failures mean for the outbox: a 5xx about the
address stops and marks the contact, a 4xx retries, and a connection lost after the message
went may have delivered it."""

import pytest

from porchlight.notify.channels import Message, PermanentError, TransientError
from porchlight.notify.channels.email import EmailChannel
from standins.smtp import free_port


def send(row):
    return EmailChannel().send(Message(outbox_id=row.pk, to=row.contact.address, body="Hello."))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown", "hard_bounce"),
        ("550 No such user here", "hard_bounce"),
        ("550 5.2.1 Mailbox disabled", "hard_bounce"),
        ("553 5.1.3 Bad recipient address syntax", "invalid_address"),
    ],
)
def test_a_refused_recipient_stops_and_marks_the_contact(local_smtp, email_row, reply, reason):
    row = email_row("nobody@example.org")
    local_smtp.rcpt_replies["nobody@example.org"] = reply

    with pytest.raises(PermanentError) as refused:
        send(row)

    assert refused.value.marks_contact
    assert refused.value.reason == reason
    assert refused.value.code == reply[:3]
    assert local_smtp.messages == []


@pytest.mark.django_db
def test_a_policy_refusal_fails_the_message_without_marking_the_address(local_smtp, email_row):
    row = email_row()
    local_smtp.data_reply = "554 5.7.1 Message rejected as spam"

    with pytest.raises(PermanentError) as refused:
        send(row)

    assert not refused.value.marks_contact
    assert refused.value.reason == "rejected_by_mail_server"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "reply",
    [
        "421 4.3.2 Service shutting down",
        "450 4.2.1 Mailbox busy",
        "451 4.7.1 Greylisted, try later",
    ],
)
def test_a_temporary_refusal_retries_and_was_not_sent(local_smtp, email_row, reply):
    row = email_row("busy@example.org")
    local_smtp.rcpt_replies["busy@example.org"] = reply

    with pytest.raises(TransientError) as later:
        send(row)

    assert later.value.code == reply[:3]
    # The server said no before taking the message: a plain retry cannot duplicate it.
    assert not later.value.maybe_sent


@pytest.mark.django_db
def test_a_temporary_refusal_after_the_message_was_read_is_a_definite_no(local_smtp, email_row):
    row = email_row()
    local_smtp.data_reply = "451 4.3.0 Local error in processing"

    with pytest.raises(TransientError) as later:
        send(row)

    assert later.value.code == "451"
    assert not later.value.maybe_sent


@pytest.mark.django_db
def test_a_connection_lost_after_the_message_may_have_delivered_it(local_smtp, email_row):
    row = email_row()
    local_smtp.drop_after_data = True

    with pytest.raises(TransientError) as lost:
        send(row)

    # The server has the whole message but we never heard its answer.
    assert len(local_smtp.wait_for(1)) == 1
    assert lost.value.maybe_sent


@pytest.mark.django_db
def test_a_server_that_refuses_the_connection_cannot_have_the_message(
    local_smtp, email_row, settings
):
    row = email_row()
    settings.EMAIL_PORT = free_port()  # nothing listens there

    with pytest.raises(TransientError) as refused:
        send(row)

    assert refused.value.code == "connection_refused"
    assert not refused.value.maybe_sent


@pytest.mark.django_db
def test_an_address_django_cannot_write_is_invalid(local_smtp, email_row):
    row = email_row()
    message = Message(outbox_id=row.pk, to="someone@exa\nmple.org", body="Hello.")

    with pytest.raises(PermanentError) as refused:
        EmailChannel().send(message)

    assert refused.value.reason == "invalid_address" and refused.value.marks_contact
