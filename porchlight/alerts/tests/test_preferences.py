"""A resident's alert settings page and this browser's push subscription."""

import json

import pytest
from django.test import Client

from porchlight.alerts import reach
from porchlight.alerts.models import Mode, Preference, ResidentContact
from porchlight.community.tests.factories import make_place, make_resident
from porchlight.notify.channels import push
from porchlight.notify.models import Contact
from standins.push_local import LocalBrowser

URL = "/me/alerts/"


@pytest.fixture
def resident_client(agency):
    resident = make_resident(agency, "rosa@example.org")
    home = make_place(resident, 35.38, -119.01, 1.0, name="Home")
    work = make_place(resident, 35.36, -119.03, 0.5, name="Work")
    client = Client()
    client.force_login(resident.user)
    return client, resident, home, work


def post(home, work, **fields):
    data = {
        f"p{home.pk}-mode": "instant", f"p{home.pk}-email": "on", f"p{home.pk}-daily_cap": "3",
        f"p{work.pk}-mode": "digest", f"p{work.pk}-daily_cap": "5", "phone-phone": "",
    }  # fmt: skip
    data.update(fields)
    return data


def test_each_place_gets_its_own_settings(resident_client):
    client, resident, home, work = resident_client
    page = client.get(URL).content.decode()
    assert "Home" in page and "Work" in page
    response = client.post(URL, post(home, work, **{f"p{work.pk}-sms": "on",
                                                    "phone-phone": "(661) 555-0147"}))  # fmt: skip
    assert response.status_code == 302
    assert Preference.objects.get(place=home).mode == Mode.INSTANT
    assert Preference.objects.get(place=work).channels == ["sms"]
    assert reach.phone_of(resident) == "+16615550147"
    # The email contact exists now, encrypted like every contact.
    email = ResidentContact.objects.get(resident=resident, channel="email").contact
    assert email.address == "rosa@example.org" and b"rosa" not in bytes(email.address_enc)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"phone-phone": "12"}, "Enter a mobile number"),
        ({"p{work}-sms": "on"}, "Give a mobile number"),
        ({"p{home}-daily_cap": "50"}, "Choose between 1 and 20"),
        ({"p{home}-mode": "hourly"}, "Select a valid choice"),
    ],
)
def test_bad_settings_are_a_400_with_the_reason(resident_client, fields, reason):
    client, _resident, home, work = resident_client
    data = post(home, work, **{k.format(home=home.pk, work=work.pk): v for k, v in fields.items()})
    response = client.post(URL, data)
    assert response.status_code == 400 and reason in response.content.decode()
    assert not Preference.objects.exists()


def test_staff_and_visitors_have_no_alert_settings(client, signed_in):
    assert client.get(URL).status_code == 302  # to the login
    assert signed_in().get(URL).status_code == 403


def test_subscribing_a_browser_stores_it_encrypted_and_turns_push_on(resident_client, settings):
    settings.VAPID_PRIVATE_KEY = push.new_private_key()
    client, resident, home, _work = resident_client
    assert "data-push-subscribe" in client.get(URL).content.decode()
    subscription = {
        "endpoint": "https://push.example/send/abc",
        "keys": {"p256dh": LocalBrowser().p256dh, "auth": "A" * 22},
    }
    for _ in range(2):  # the same browser twice is one device
        response = client.post("/me/alerts/push/subscribe", json.dumps(subscription),
                               content_type="application/json")  # fmt: skip
        assert response.status_code == 200
    (device,) = reach.devices(resident)
    assert json.loads(device.contact.address) == subscription
    assert "push.example" not in bytes(device.contact.address_enc).decode("latin-1")
    assert Preference.objects.get(place=home).push
    response = client.post("/me/alerts/push/unsubscribe", json.dumps({"endpoint": subscription["endpoint"]}),
                           content_type="application/json")  # fmt: skip
    assert response.json()["removed"] == 1 and reach.devices(resident) == []
    assert Contact.objects.filter(channel="push").count() == 1  # kept for history


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps({"endpoint": "http://push.example/x", "keys": {"p256dh": "x" * 87, "auth": "a" * 22}}),
        json.dumps({"endpoint": "https://push.example/x", "keys": {"p256dh": "short", "auth": "a" * 22}}),
        json.dumps({"endpoint": "https://push.example/x"}),
        json.dumps(["a"]),
    ],
)  # fmt: skip
def test_a_bad_subscription_is_a_400_with_the_reason(resident_client, body):
    client = resident_client[0]
    response = client.post("/me/alerts/push/subscribe", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]
    assert not ResidentContact.objects.filter(channel="push").exists()


def test_no_device_choice_where_devices_cannot_be_notified(resident_client, settings):
    """Without a VAPID key the page says notifications on devices are not set up, so a place
    does not offer them either; a choice stored before is kept, not cleared by saving."""
    client, resident, home, work = resident_client
    settings.VAPID_PRIVATE_KEY = ""
    Preference.objects.create(place=home, push=True)
    page = client.get(URL).content.decode()
    assert "not set up on this site" in page
    assert f'name="p{home.pk}-push"' not in page and f'name="p{work.pk}-push"' not in page
    assert client.post(URL, post(home, work)).status_code == 302
    assert Preference.objects.get(place=home).push

    settings.VAPID_PRIVATE_KEY = push.new_private_key()
    page = client.get(URL).content.decode()
    assert f'name="p{home.pk}-push"' in page and "data-push-subscribe" in page
