"""A resident's export and account deletion (what goes, what stays)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from porchlight.audit.models import AuditEntry
from porchlight.community.models import Comment, Flag, Place, Post, Removal, Resident
from porchlight.community.tests.factories import make_place, make_post, make_resident
from porchlight.media.models import MediaFile
from standins.media import jpeg_with_gps, upload

LAT, LON = 35.3733, -119.0187


@pytest.fixture
def me(client: Any, agency: Any) -> Any:
    resident = make_resident(agency, "me@example.org", first_name="Ana", trusted=True)
    client.force_login(resident.user)
    return resident


@pytest.mark.django_db
def test_export_holds_everything_the_account_holds(client: Any, agency: Any, me: Any) -> None:
    place = make_place(me, LAT, LON)
    place.address = "1200 Truxtun Ave"
    place.save()
    post = make_post(me, LAT, LON, title="Streetlight out")
    Comment.objects.create(post=post, author=me, body="Fixed now.")
    r = client.get("/n/bakersfield/account/export.json")
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    assert r["Content-Disposition"].startswith("attachment;")
    data = json.loads(r.content)
    assert data["account"]["email"] == "me@example.org"
    assert data["places"][0]["address"] == "1200 Truxtun Ave"
    assert data["posts"][0]["title"] == "Streetlight out"
    assert data["comments"][0]["body"] == "Fixed now."


@pytest.mark.django_db
def test_the_delete_page_says_what_is_kept_before_confirming(client: Any, me: Any) -> None:
    r = client.get("/n/bakersfield/account/delete/")
    assert b"What is kept" in r.content and b"evidence" in r.content and b"audit log" in r.content
    # Without the confirmation box nothing happens.
    assert client.post("/n/bakersfield/account/delete/", {}).status_code == 200
    assert Resident.objects.filter(pk=me.pk).exists()


@pytest.mark.django_db
def test_deleting_removes_everything_but_audit_entries_and_removal_records(
    client: Any, agency: Any, me: Any, media_storage: Path
) -> None:
    place = make_place(me, LAT, LON)
    client.post(
        "/n/bakersfield/posts/new/",
        {
            "category": "crime",
            "title": "Car window smashed",
            "body": "Someone smashed my car window overnight.",
            "place": place.pk,
            "photos": [upload("a.jpg", jpeg_with_gps())],
        },
    )
    post = Post.objects.get()
    stored = MediaFile.objects.get()
    files = [stored.published.path, stored.original.path]
    assert all(Path(f).exists() for f in files)
    other = make_resident(agency, "bo@example.org")
    theirs = make_post(other, LAT, LON)
    Comment.objects.create(post=theirs, author=me, body="Same here.")
    Flag.objects.create(post=theirs, resident=me, reason="spam")
    Removal.objects.create(
        post=post, agency=agency, category=post.category, rule="spam", reason="x",
        moderator=get_user_model().objects.create_user("mod"),
    )  # fmt: skip
    audit_before = AuditEntry.objects.count()

    r = client.post("/n/bakersfield/account/delete/", {"confirm": "on"})
    assert r.status_code == 302
    assert not get_user_model().objects.filter(email="me@example.org").exists()
    assert not Resident.objects.filter(pk=me.pk).exists()
    assert not Place.objects.exists() and not Post.objects.filter(pk=post.pk).exists()
    assert not Comment.objects.exists() and not MediaFile.objects.exists()
    assert not any(Path(f).exists() for f in files)
    # Kept: the other resident's post, the flag (anonymous now), the removal record, the audit.
    assert Post.objects.filter(pk=theirs.pk).exists()
    assert Flag.objects.get().resident is None
    assert Removal.objects.get().post is None
    assert AuditEntry.objects.count() == audit_before + 1
    assert AuditEntry.objects.filter(action="community.account.delete").exists()
    # And the session is over.
    assert client.get("/n/bakersfield/feed/").status_code == 302


@pytest.mark.django_db
def test_export_holds_alert_settings_addresses_alerts_and_watch_groups(
    client: Any, agency: Any, me: Any
) -> None:
    from porchlight.alerts import reach, watch
    from porchlight.alerts.models import Alert, Delivery, Preference, WatchMessage, WatchRole

    home = make_place(me, LAT, LON, name="Home")
    make_place(me, LAT + 0.01, LON, name="Work")  # no preference: defaults, exported as null
    Preference.objects.create(place=home, mode="instant", sms=True, daily_cap=5)
    reach.ensure_email(me)
    reach.set_phone(me, "(661) 555-0142")
    alert = Alert.objects.create(
        agency=agency, title="Water main break on F St", body="Avoid F St.", target="radius",
        center_lat=LAT, center_lon=LON, radius_miles=1.0,
    )  # fmt: skip
    Delivery.objects.create(alert=alert, resident=me, how="instant", channels="email,sms")
    square = {
        "type": "Polygon",
        "coordinates": [[[LON - 0.01, LAT - 0.01], [LON + 0.01, LAT - 0.01],
                         [LON + 0.01, LAT + 0.01], [LON - 0.01, LAT + 0.01],
                         [LON - 0.01, LAT - 0.01]]],
    }  # fmt: skip
    group = watch.create(agency, "Oleander Watch", square)
    member = watch.join(me, group)
    member.role = WatchRole.CAPTAIN
    member.save()
    WatchMessage.objects.create(group=group, title="Meeting Tuesday", body="At the library.")

    data = json.loads(client.get("/n/bakersfield/account/export.json").content)
    by_name = {p["name"]: p for p in data["places"]}
    assert by_name["Home"]["alert_preference"] == {
        "mode": "instant", "email": True, "push": False, "sms": True, "daily_cap": 5,
        "updated": by_name["Home"]["alert_preference"]["updated"],
    }  # fmt: skip
    assert by_name["Work"]["alert_preference"] is None
    addresses = {a["channel"]: a["address"] for a in data["alert_addresses"]}
    assert addresses == {"email": "me@example.org", "sms": "+16615550142"}
    [received] = data["alerts_received"]
    assert (received["title"], received["how"], received["channels"]) == (
        "Water main break on F St", "instant", "email,sms",
    )  # fmt: skip
    [membership] = data["watch_groups"]
    assert (membership["group"], membership["role"]) == ("Oleander Watch", "captain")
    assert [m["title"] for m in membership["messages"]] == ["Meeting Tuesday"]


@pytest.mark.django_db
def test_deleting_stops_waiting_alerts_and_purges_addresses_no_one_else_uses(
    client: Any, agency: Any, me: Any
) -> None:
    from porchlight.alerts import fanout, publish, reach
    from porchlight.alerts.models import Preference
    from porchlight.notify.models import Contact, Outbox, State

    home = make_place(me, LAT, LON)
    Preference.objects.create(place=home, mode="instant", sms=True)
    email = reach.ensure_email(me)
    phone = reach.set_phone(me, "(661) 555-0142")
    assert email is not None and phone is not None
    # The same phone is also a caller's contact: a call update planned for it.
    Outbox.objects.create(
        agency=agency, contact=phone.contact, channel="sms", trigger="call.received",
        dedupe_key="caller-update", due_at=timezone.now(),
    )  # fmt: skip
    alert = publish.publish(agency, publish.radius_area(LAT, LON, 0.5), title="Road closed",
                            body="F St is closed.")  # fmt: skip
    assert fanout.fan_out(alert) == 2

    assert client.post("/n/bakersfield/account/delete/", {"confirm": "on"}).status_code == 302
    alert_rows = Outbox.objects.filter(trigger__startswith="alert.")
    assert set(alert_rows.values_list("state", "reason")) == {
        (State.SUPPRESSED, "resident account deleted")
    }
    # The email address only the resident used is purged; the phone a caller also uses stays.
    assert Contact.objects.get(pk=email.contact_id).address_enc is None
    assert Contact.objects.get(pk=phone.contact_id).address == "+16615550142"
    assert Outbox.objects.get(dedupe_key="caller-update").state == State.PLANNED
