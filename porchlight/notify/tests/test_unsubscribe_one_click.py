"""RFC 8058 one-click unsubscribe, end to end: the link in a real email's List-Unsubscribe
header, posted as a mail client posts it (no cookies, no CSRF token), opts the address out of
our From address and logs it; a GET never does; bad tokens get a 4xx with the reason."""

import re

import pytest
from django.test import Client

from porchlight.notify import consent
from porchlight.notify.channels import Message
from porchlight.notify.channels.email import EmailChannel
from porchlight.notify.models import ConsentChange, OptOut
from porchlight.notify.unsubscribe import token_for


@pytest.fixture
def mail_client():
    # What a mail client is to us: no session, no CSRF cookie, and CSRF enforced.
    return Client(enforce_csrf_checks=True)


def unsubscribe_path(local_smtp, row):
    EmailChannel().send(Message(outbox_id=row.pk, to=row.contact.address, body="Hello."))
    header = local_smtp.wait_for(1)[-1].message["List-Unsubscribe"].strip()
    url = re.fullmatch(r"<(.+)>", header)[1]
    assert url.startswith("http://localhost:8000/")
    return url.removeprefix("http://localhost:8000")


@pytest.mark.django_db
def test_one_click_unsubscribes_the_address_from_our_from_address(
    local_smtp, email_row, mail_client, settings
):
    settings.DEFAULT_FROM_EMAIL = "Updates@PD.example.gov"
    row = email_row("caller@example.org")
    path = unsubscribe_path(local_smtp, row)

    r = mail_client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert r.status_code == 200
    [out] = OptOut.objects.all()
    assert (out.channel, out.address_hash, out.sender, out.source) == (
        "email", row.contact.address_hash, "updates@pd.example.gov", "email:one-click",
    )  # fmt: skip
    [change] = ConsentChange.objects.all()
    assert (change.action, change.source, change.address_hash) == (
        "opt_out", "email:one-click", row.contact.address_hash,
    )  # fmt: skip
    # What the worker checks before the next email.
    assert consent.opted_out("email", row.contact.address_hash, consent.sender_key("email", None))

    # Clients and providers may post twice; the log says it once.
    again = mail_client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert again.status_code == 200
    assert ConsentChange.objects.count() == 1 and OptOut.objects.count() == 1


@pytest.mark.django_db
def test_one_click_as_multipart_form_data_works_too(local_smtp, email_row, mail_client):
    """RFC 8058 allows either form encoding; some clients send multipart/form-data."""
    row = email_row()
    path = unsubscribe_path(local_smtp, row)

    r = mail_client.post(path, {"List-Unsubscribe": "One-Click"})  # multipart by default

    assert r.status_code == 200
    assert OptOut.objects.get().address_hash == row.contact.address_hash


@pytest.mark.django_db
def test_opening_the_link_does_not_unsubscribe(local_smtp, email_row, mail_client):
    """Link scanners and previews fetch every link in an email."""
    row = email_row()
    path = unsubscribe_path(local_smtp, row)

    r = mail_client.get(path)

    assert r.status_code == 200
    assert b'<button type="submit">Unsubscribe</button>' in r.content
    assert mail_client.head(path).status_code == 200
    assert not OptOut.objects.exists() and not ConsentChange.objects.exists()
    # The token is in the URL: not passed on, not indexed, not cached.
    assert r["Referrer-Policy"] == "same-origin"
    assert r["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_a_post_without_the_one_click_body_is_refused_with_the_reason(
    local_smtp, email_row, mail_client
):
    row = email_row()
    path = unsubscribe_path(local_smtp, row)

    r = mail_client.post(path, {"List-Unsubscribe": "yes please"})

    assert r.status_code == 400
    assert b"List-Unsubscribe=One-Click" in r.content
    assert not OptOut.objects.exists()


@pytest.mark.django_db
def test_the_page_button_needs_its_csrf_token(email_row, mail_client):
    row = email_row()
    token = token_for(row.pk)

    forged = mail_client.post(f"/notify/email/unsubscribe/{token}/confirm/")
    assert forged.status_code == 403
    assert mail_client.get(f"/notify/email/unsubscribe/{token}/confirm/").status_code == 302
    assert not OptOut.objects.exists()

    page = mail_client.get(f"/notify/email/unsubscribe/{token}/")
    csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)[1].decode()
    done = mail_client.post(
        f"/notify/email/unsubscribe/{token}/confirm/?lang=es", {"csrfmiddlewaretoken": csrf}
    )
    assert done.status_code == 302
    assert done["Location"] == f"/notify/email/unsubscribe/{token}/?lang=es"
    assert "Su suscripción está cancelada" in mail_client.get(done["Location"]).text
    assert OptOut.objects.get().source == "email:unsubscribe-page"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "1.forgedsignatureAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "x" * 500,
        "1",
    ],
)
def test_a_bad_or_tampered_token_is_a_400_with_the_reason(email_row, mail_client, token):
    email_row()

    for r in (
        mail_client.get(f"/notify/email/unsubscribe/{token}/"),
        mail_client.post(
            f"/notify/email/unsubscribe/{token}/",
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        ),
    ):
        assert r.status_code == 400
        assert b"This unsubscribe link is not valid" in r.content
    assert not OptOut.objects.exists()


@pytest.mark.django_db
def test_a_token_for_another_row_does_not_open_it(email_row, mail_client):
    """A token signed for one outbox row, edited to name another, fails the signature."""
    row = email_row()
    other = email_row("other@example.org")
    token = token_for(row.pk)
    tampered = token.replace(f"{row.pk}.", f"{other.pk}.", 1)

    assert mail_client.get(f"/notify/email/unsubscribe/{tampered}/").status_code == 400


@pytest.mark.django_db
def test_a_link_to_a_deleted_message_is_a_404(email_row, mail_client):
    row = email_row()
    token = token_for(row.pk)
    row.delete()

    r = mail_client.post(
        f"/notify/email/unsubscribe/{token}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert r.status_code == 404
    assert b"no longer works" in r.content
