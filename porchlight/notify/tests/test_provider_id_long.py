"""Real email provider ids are stored whole and found again by the bounce webhook.

Message-IDs with a long sending domain, and the ids some providers hand back, run past 64
characters; cut to a prefix, two messages could share one id and a bounce could fail the wrong
row. Posted through anymail's real Postmark tracking view, on SQLite and PostgreSQL (which
refuses a value longer than the column)."""

import base64
import json

import pytest

from porchlight.notify.channels.email import provider_key
from porchlight.notify.models import Outbox, State

URL = "/anymail/postmark/tracking/"
SECRET = "postmark:s3cret-webhook-password"
DOMAIN = "notifications.police-department.county-of-san-bernardino.ca.gov"
# Shaped like a Mailgun Message-ID on a long sending domain (about 110 characters), and two
# that share their first 64 characters, which the old column could not tell apart.
MAILGUN_ID = f"<20261203201530.7c4d2e9f0a1b3c5d.8e6f4a2b1c0d9e8f@{DOMAIN}>"
TWIN_A = f"<outbox-1001.{'a' * 16}.{'0' * 40}.resent.1@{DOMAIN}>"
TWIN_B = f"<outbox-1001.{'a' * 16}.{'0' * 40}.resent.2@{DOMAIN}>"


@pytest.fixture(autouse=True)
def webhook_secret(settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": SECRET}


def hard_bounce(client, message_id, email="caller@example.org"):
    payload = {
        "RecordType": "Bounce", "MessageStream": "outbound", "ID": 4323372036854775807,
        "Type": "HardBounce", "TypeCode": 1, "Name": "Hard bounce", "Tag": "",
        "MessageID": message_id, "Metadata": {}, "ServerID": 23,
        "Description": "The server was unable to deliver your message.",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email, "From": "porchlight@localhost",
        "BouncedAt": "2026-12-03T20:15:30.9070259Z", "DumpAvailable": True, "Inactive": True,
        "CanActivate": True, "Subject": "An update on incident 26-000001",
    }  # fmt: skip
    auth = "Basic " + base64.b64encode(SECRET.encode()).decode()
    r = client.post(
        URL, json.dumps(payload), content_type="application/json", headers={"Authorization": auth}
    )
    assert r.status_code == 200


@pytest.mark.django_db
def test_a_long_provider_id_is_stored_whole_and_found(client, email_row):
    assert len(MAILGUN_ID) > 100
    row = email_row(state=State.SENT, provider_id=provider_key(MAILGUN_ID))

    stored = Outbox.objects.get(pk=row.pk).provider_id
    assert stored == MAILGUN_ID.strip("<>")

    hard_bounce(client, MAILGUN_ID)
    assert Outbox.objects.get(pk=row.pk).state == State.FAILED


@pytest.mark.django_db
def test_ids_that_share_a_long_prefix_stay_two_messages(client, email_row):
    assert TWIN_A[:65] == TWIN_B[:65]
    a = email_row(state=State.SENT, provider_id=provider_key(TWIN_A))
    b = email_row(address="other@example.org", state=State.SENT, provider_id=provider_key(TWIN_B))

    hard_bounce(client, TWIN_B, email="other@example.org")

    assert Outbox.objects.get(pk=b.pk).state == State.FAILED
    assert Outbox.objects.get(pk=a.pk).state == State.SENT


@pytest.mark.django_db
def test_an_id_longer_than_the_column_is_kept_as_its_digest_and_still_found(client, email_row):
    """No real provider sends one, but a refused id would leave a sent row `sending`."""
    huge = f"<{'x' * 300}@{DOMAIN}>"
    key = provider_key(huge)
    assert key.startswith("sha256:") and len(key) <= 255
    assert provider_key(huge.strip("<>")) == key  # with or without brackets, the same key
    row = email_row(state=State.SENT, provider_id=key)

    hard_bounce(client, huge)

    assert Outbox.objects.get(pk=row.pk).state == State.FAILED
