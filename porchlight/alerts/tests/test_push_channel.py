"""Web push against a local push service that checks VAPID and decrypts the payload as a
browser would (standins/push_local.py)."""

import json

import pytest

from porchlight.alerts import fanout, publish, reach
from porchlight.alerts.models import Mode, Preference, Severity
from porchlight.notify.channels import push
from porchlight.notify.channels.base import Message, PermanentError
from porchlight.notify.models import Contact, Outbox, State
from porchlight.notify.worker import Worker
from standins.builders import shut
from standins.push_local import LocalBrowser, serve_push

from .conftest import LAT, LON, STEP

KEY = push.new_private_key()


@pytest.fixture
def pushing(settings):
    settings.VAPID_PRIVATE_KEY = KEY
    settings.VAPID_SUBJECT = "mailto:alerts@bakersfield.example"
    settings.PUSH_ALLOW_HTTP = True
    browser = LocalBrowser()
    server = serve_push({"phone": browser})
    yield server, browser
    shut(server)


def test_the_payload_arrives_encrypted_and_signed_and_decrypts(pushing):
    server, browser = pushing
    channel = push.WebPush()
    receipt = channel.send(Message(
        outbox_id=7, to=json.dumps(browser.subscription(server, "phone")),
        subject="Bakersfield PD: Road closed",
        body="Main St closed until 6 PM. https://pl.example/alerts/a/abc/",
    ))  # fmt: skip
    (got,) = server.received
    assert got.payload == {
        "title": "Bakersfield PD: Road closed",
        "body": "Main St closed until 6 PM. https://pl.example/alerts/a/abc/",
        "url": "https://pl.example/alerts/a/abc/",
        "tag": "porchlight-7",
    }
    assert got.vapid_subject == "mailto:alerts@bakersfield.example"
    assert got.urgency == "high" and int(got.ttl) == push.TTL_SECONDS
    assert receipt.provider_id.endswith("/message/1")


def test_a_gone_subscription_is_permanent_and_marks_the_contact(pushing):
    server, browser = pushing
    server.gone.add("phone")
    message = Message(outbox_id=1, to=json.dumps(browser.subscription(server, "phone")), body="x")
    with pytest.raises(PermanentError) as caught:
        push.WebPush().send(message)
    assert caught.value.code == "410" and caught.value.marks_contact


def test_a_stored_address_that_is_not_a_subscription_is_refused(pushing):
    with pytest.raises(PermanentError):
        push.WebPush().send(Message(outbox_id=1, to='{"endpoint": "ftp://x"}', body="x"))


def test_the_public_key_is_the_private_keys_point():
    key = push.public_key(KEY)
    assert len(push.new_private_key()) == 43 and len(key) == 87  # 65 bytes, base64url


@pytest.mark.django_db(transaction=True)
def test_an_urgent_alert_reaches_a_subscribed_phone_through_the_worker(
    pushing, agency, grid, neighbor
):
    server, browser = pushing
    place = neighbor(LAT + STEP / 2, LON + STEP / 2)
    reach.subscribe(place.resident, browser.subscription(server, "phone"), "Chrome on Android")
    Preference.objects.create(place=place, mode=Mode.DIGEST, email=False, push=True)
    alert = publish.publish(agency, publish.beats_area([grid["1A"]]), title="Shelter in place",
                            body="Police activity on Oak St.", severity=Severity.URGENT)  # fmt: skip
    assert fanout.fan_out(alert) == 1
    worker = Worker({"push": push.WebPush()}, name="w", threads=2)
    assert worker.run_once() == 1
    worker._pool.shutdown()
    (got,) = server.received
    assert got.payload["title"] == "Bakersfield Police Department: URGENT: Shelter in place"
    assert "Police activity on Oak St." in got.payload["body"]
    assert got.payload["url"].endswith(f"/alerts/a/{alert.share_token}/")
    row = Outbox.objects.get()
    assert row.state in (State.SENT, State.DELIVERED)

    # The phone unsubscribed: the next push fails for good and the contact is marked.
    server.gone.add("phone")
    second = publish.publish(agency, publish.beats_area([grid["1A"]]), title="Again", body=".",
                             severity=Severity.URGENT)  # fmt: skip
    fanout.fan_out(second)
    worker = Worker({"push": push.WebPush()}, name="w", threads=2)
    worker.run_once()
    worker._pool.shutdown()
    assert Contact.objects.get(channel="push").undeliverable
