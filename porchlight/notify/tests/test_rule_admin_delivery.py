"""Delivery settings (quiet hours, caps) and sending numbers in the agency-scoped admin."""

import functools

import pytest

from porchlight.audit.models import AuditEntry
from porchlight.notify.models import DeliverySettings, Sender
from porchlight.notify.tests.test_rule_admin import sign_in_as
from standins.builders import make_agency


@pytest.fixture
def signed_in(agency):
    return functools.partial(sign_in_as, agency)


SETTINGS = {
    "quiet_start": "22:00", "quiet_end": "07:30", "max_per_hour": 4, "max_per_day": 12,
    "merge_seconds": 120, "accents": "plain", "price_per_segment": "0.0079",
}  # fmt: skip


@pytest.mark.django_db
def test_an_admin_sets_quiet_hours_once_and_then_changes_them(agency, signed_in):
    client = signed_in()
    response = client.post("/admin/notify/deliverysettings/add/", {"agency": agency.pk, **SETTINGS})
    assert response.status_code == 302
    mine = DeliverySettings.objects.get(agency=agency)
    assert (str(mine.quiet_start), str(mine.quiet_end), mine.max_per_hour) == (
        "22:00:00",
        "07:30:00",
        4,
    )
    # One row per agency: no second add.
    assert client.get("/admin/notify/deliverysettings/add/").status_code == 403
    response = client.post(
        f"/admin/notify/deliverysettings/{agency.pk}/change/",
        {"agency": agency.pk, **SETTINGS, "max_per_day": 30},
    )
    assert response.status_code == 302
    assert DeliverySettings.objects.get(agency=agency).max_per_day == 30
    assert AuditEntry.objects.filter(action="admin.change", agency=agency).get().changes == {
        "fields": ["max_per_day"]
    }


@pytest.mark.django_db
def test_delivery_settings_are_scoped(agency, signed_in):
    other = make_agency(slug="kern", name="Kern County Sheriff", ori="CA0150000")
    DeliverySettings.objects.create(agency=other, max_per_day=3)
    client = signed_in()
    assert (
        "Kern County Sheriff" not in client.get("/admin/notify/deliverysettings/").content.decode()
    )
    # A tampered agency is refused as an invalid choice.
    response = client.post("/admin/notify/deliverysettings/add/", {"agency": other.pk, **SETTINGS})
    assert response.status_code == 200
    assert DeliverySettings.objects.get(agency=other).max_per_day == 3


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"phone_number": "661-555-0100"}, "E.164"),
        ({"phone_number": ""}, "Give a phone number or a messaging service SID."),
        ({"profile": "pool", "pool_size": 5}, "A pool sends through a Twilio messaging service."),
        ({"messaging_service_sid": "MG123"}, "MG and 32 hex digits"),
        ({"rate_per_second": "0"}, "more than zero"),
    ],
)
@pytest.mark.django_db
def test_a_bad_sender_is_refused_with_the_reason(agency, signed_in, fields, error):
    client = signed_in()
    data = {
        "agency": agency.pk,
        "label": "Main line",
        "profile": "long_code",
        "phone_number": "+16615550100",
        "messaging_service_sid": "",
        "pool_size": 1,
        "rate_per_second": "",
        "is_default": "on",
        **fields,
    }
    response = client.post("/admin/notify/sender/add/", data)
    assert response.status_code == 200 and error in response.content.decode()
    assert not Sender.objects.exists()


@pytest.mark.django_db
def test_senders_pool_and_one_default(agency, signed_in):
    client = signed_in()
    sid = "MG" + "0123456789abcdef" * 2
    data = {
        "agency": agency.pk, "label": "Pool", "profile": "pool", "phone_number": "",
        "messaging_service_sid": sid, "pool_size": 5, "rate_per_second": "", "is_default": "on",
    }  # fmt: skip
    assert client.post("/admin/notify/sender/add/", data).status_code == 302
    pool = Sender.objects.get()
    assert pool.rate == 5.0 and pool.address == sid
    second = {**data, "label": "Toll-free", "profile": "toll_free", "phone_number": "+18005550100",
              "messaging_service_sid": ""}  # fmt: skip
    response = client.post("/admin/notify/sender/add/", second)
    assert "Pool (" in response.content.decode() and "is the default already" in (
        response.content.decode()
    )
    del second["is_default"]
    assert client.post("/admin/notify/sender/add/", second).status_code == 302
    assert Sender.objects.get(label="Toll-free").rate == 3.0
    assert AuditEntry.objects.filter(action="admin.add", target_type="notify.sender").count() == 2

    other = make_agency(slug="kern", name="Kern County Sheriff", ori="CA0150000")
    Sender.objects.create(agency=other, label="Kern line", phone_number="+16615550199")
    assert "Kern line" not in client.get("/admin/notify/sender/").content.decode()
