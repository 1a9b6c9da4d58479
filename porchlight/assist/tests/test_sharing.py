"""Residents share with consent; originals keep their digest from receipt to download; every
access is in the custody log; withdrawal, evidence, and deletion on schedule."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from porchlight.agencies.models import Role
from porchlight.agencies.tests.conftest import make_user, sign_in
from porchlight.assist import jobs, sharing
from porchlight.assist.models import AssistanceRequest, Share, ShareFile, Status
from porchlight.media import storage
from standins.browser import RESIDENT_PASSWORD
from standins.media import jpeg_with_gps, upload

from .conftest import LAT, LON

PHOTO = jpeg_with_gps()


def resident_client(resident) -> Client:
    client = Client()
    assert client.login(username=resident.user.username, password=RESIDENT_PASSWORD)
    return client


def share_by_post(client, item, **extra):
    data = {"files": [upload("cam.jpg", PHOTO, "image/jpeg")], "note": "Driveway camera",
            "agree": "on", **extra}  # fmt: skip
    return client.post(f"/n/{item.agency.slug}/assist/{item.pk}/", data)


@pytest.fixture
def shared(sent, neighbor, media_storage):
    place = neighbor(LAT, LON)
    item = sent()
    response = share_by_post(resident_client(place.resident), item)
    assert response.status_code == 302, response.content[:800]
    return item, place.resident, Share.objects.get()


def staff(agency, role=Role.DETECTIVE, name="det2"):
    user, secret = make_user(name, agency=agency, role=role)
    client = Client()
    sign_in(client, name, secret)
    return user, client


def custody_actions(media_file):
    return [e.action for e in sharing.custody_of(media_file)]


def test_the_digest_matches_at_receipt_and_at_download(agency, shared):
    item, _, made = shared
    link = made.files.get()
    media_file = link.media_file
    assert media_file.original_sha256 == hashlib.sha256(PHOTO).hexdigest()
    with storage.EVIDENCE.open(media_file.original.name) as f:
        assert f.read() == PHOTO  # byte-exact, GPS and all
    _, client = staff(agency)
    response = client.get(f"/console/assist/files/{link.pk}/download")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == PHOTO
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    assert response["Repr-Digest"] == f"sha-256=:{digest}:"
    downloaded = sharing.custody_of(media_file)[-1]
    assert downloaded.action == "downloaded"
    assert downloaded.digest_ok is True and downloaded.user.username == "det2"


def test_an_altered_original_is_refused_and_recorded(agency, shared):
    _, _, made = shared
    link = made.files.get()
    path = storage.EVIDENCE.path(link.media_file.original.name)
    with open(path, "ab") as f:
        f.write(b"tampered")
    _, client = staff(agency)
    response = client.get(f"/console/assist/files/{link.pk}/download")
    assert response.status_code == 409
    last = sharing.custody_of(link.media_file)[-1]
    assert last.action == "downloaded" and last.digest_ok is False


def test_custody_records_every_access(agency, shared):
    _, _, made = shared
    link = made.files.get()
    user, client = staff(agency)
    for _ in range(3):
        assert client.get(f"/console/assist/files/{link.pk}/download").status_code == 200
    response = client.post(f"/console/assist/shares/{made.pk}/evidence")
    assert response.status_code == 302
    assert custody_actions(link.media_file) == [
        "received", "downloaded", "downloaded", "downloaded", "taken_into_evidence",
    ]  # fmt: skip
    received = sharing.custody_of(link.media_file)[0]
    # The resident is a user id in the log staff read, never their email or address.
    resident = made.resident
    assert received.actor == f"user {resident.user.pk}" and received.ip is None
    assert received.digest_ok is True


def test_staff_of_another_agency_and_read_only_staff_cannot_download(agency, other_agency, shared):
    link = ShareFile.objects.get()
    _, outsider = staff(other_agency, name="kern1")
    assert outsider.get(f"/console/assist/files/{link.pk}/download").status_code == 404
    _, reader = staff(agency, role=Role.READ_ONLY, name="reader")
    assert reader.get(f"/console/assist/files/{link.pk}/download").status_code == 403
    assert custody_actions(link.media_file) == ["received"]


def test_staff_see_the_resident_only_with_consent(agency, sent, neighbor, media_storage):
    quiet = neighbor(LAT, LON, first_name="Quinn")
    open_ = neighbor(LAT, LON, first_name="Olga")
    item = sent()
    share_by_post(resident_client(quiet.resident), item)
    share_by_post(resident_client(open_.resident), item, consent_contact="on",
                  phone="661-555-0123")  # fmt: skip
    _, client = staff(agency)
    page = client.get(f"/console/assist/{item.pk}/").content.decode()
    assert "Olga" in page and open_.resident.user.email in page and "661-555-0123" in page
    assert "Quinn" not in page and quiet.resident.user.email not in page
    assert "did not agree to be contacted" in page
    quiet_share = Share.objects.get(resident=quiet.resident)
    assert quiet_share.contact_name == quiet_share.contact_email == ""


def test_a_resident_withdraws_and_the_files_are_deleted(shared):
    item, resident, made = shared
    link = made.files.get()
    name = link.media_file.original.name
    response = resident_client(resident).post(
        f"/n/{item.agency.slug}/assist/shares/{made.pk}/withdraw"
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.withdrawn_at is not None and made.deleted_at is not None
    assert not storage.EVIDENCE.exists(name)
    assert custody_actions(link.media_file)[-2:] == ["withdrawn", "deleted"]


def test_no_withdrawal_after_evidence(agency, shared):
    item, resident, made = shared
    user, _ = staff(agency)
    sharing.take_into_evidence(made, actor=user)
    response = resident_client(resident).post(
        f"/n/{item.agency.slug}/assist/shares/{made.pk}/withdraw"
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.withdrawn_at is None and made.deleted_at is None
    assert storage.EVIDENCE.exists(made.files.get().media_file.original.name)


def test_another_resident_cannot_withdraw(shared, neighbor):
    item, _, made = shared
    stranger = neighbor(LAT, LON).resident
    response = resident_client(stranger).post(
        f"/n/{item.agency.slug}/assist/shares/{made.pk}/withdraw"
    )
    assert response.status_code == 404
    made.refresh_from_db()
    assert made.withdrawn_at is None


def test_deletion_on_schedule_spares_evidence(agency, sent, neighbor, media_storage, settings):
    assert "porchlight.assist.jobs.run" in settings.NOTIFY_PERIODIC_JOBS  # the worker runs it
    place_a, place_b = neighbor(LAT, LON), neighbor(LAT, LON)
    item = sent()
    share_by_post(resident_client(place_a.resident), item)
    share_by_post(resident_client(place_b.resident), item)
    kept, dropped = (Share.objects.get(resident=p.resident) for p in (place_a, place_b))
    user, _ = staff(agency)
    sharing.take_into_evidence(kept, actor=user)
    dropped_name = dropped.files.get().media_file.original.name

    # The day after expiry: the request expires, nothing is deleted yet.
    with time_machine.travel(item.expires_at + timedelta(days=1)):
        assert jobs.run("w1", timezone.now()) == 1
    item.refresh_from_db()
    assert item.status == Status.EXPIRED
    assert storage.EVIDENCE.exists(dropped_name)
    # 29 days after expiry: still kept; 30: deleted, the evidence share untouched.
    assert jobs.run("w1", item.expires_at + timedelta(days=29, hours=23)) == 0
    assert jobs.run("w1", item.expires_at + timedelta(days=30)) == 1
    dropped.refresh_from_db()
    kept.refresh_from_db()
    assert dropped.deleted_at is not None and kept.deleted_at is None
    assert not storage.EVIDENCE.exists(dropped_name)
    assert storage.EVIDENCE.exists(kept.files.get().media_file.original.name)
    assert custody_actions(dropped.files.get().media_file)[-1] == "deleted"
    assert custody_actions(kept.files.get().media_file)[-1] == "taken_into_evidence"
    # Run again: nothing more to do.
    assert jobs.run("w1", item.expires_at + timedelta(days=31)) == 0


def test_the_resident_is_told_the_retention_when_sharing(agency, sent, neighbor, media_storage):
    from porchlight.assist.models import Policy

    Policy.objects.create(agency=agency, retention_days=14)
    place = neighbor(LAT, LON)
    item = sent()
    page = resident_client(place.resident).get(f"/n/{agency.slug}/assist/{item.pk}/")
    text = page.content.decode()
    assert "deleted 14 days after the request expires" in text
    assert "Sharing is voluntary" in text and "Your address or your saved places." in text


def test_a_draft_is_not_shown_to_residents(agency, draft, neighbor):
    place = neighbor(LAT, LON)
    item = draft()
    page = resident_client(place.resident).get(f"/n/{agency.slug}/assist/{item.pk}/")
    assert page.status_code == 404


def test_sharing_needs_consent_and_a_file(sent, neighbor, media_storage):
    place = neighbor(LAT, LON)
    item = sent()
    client = resident_client(place.resident)
    url = f"/n/{item.agency.slug}/assist/{item.pk}/"
    no_agree = client.post(url, {"files": [upload("cam.jpg", PHOTO, "image/jpeg")]})
    no_file = client.post(url, {"agree": "on"})
    not_media = client.post(url, {"files": [upload("x.jpg", b"MZ\x90\x00 not a photo")],
                                  "agree": "on"})  # fmt: skip
    assert no_agree.status_code == no_file.status_code == not_media.status_code == 400
    assert not Share.objects.exists()
    assert AssistanceRequest.objects.get().shares_received == 0


def test_a_closed_request_takes_no_shares(sent, neighbor, supervisor, media_storage):
    from porchlight.assist import flow

    place = neighbor(LAT, LON)
    item = sent()
    flow.close(item, actor=supervisor)
    response = share_by_post(resident_client(place.resident), item)
    assert response.status_code == 400 and not Share.objects.exists()


def test_deleting_the_account_keeps_evidence_detached_and_deletes_the_rest(
    agency, sent, neighbor, media_storage
):
    from django.test import RequestFactory

    from porchlight.community.account import delete_account

    place = neighbor(LAT, LON)
    item = sent()
    client = resident_client(place.resident)
    share_by_post(client, item)
    share_by_post(client, item, consent_contact="on")
    kept, dropped = Share.objects.order_by("pk")
    user, _ = staff(agency)
    sharing.take_into_evidence(kept, actor=user)
    dropped_name = dropped.files.get().media_file.original.name
    request = RequestFactory().post("/")
    request.user = place.resident.user
    delete_account(place.resident, request)
    kept.refresh_from_db()
    dropped.refresh_from_db()
    assert kept.resident is None and kept.deleted_at is None
    assert storage.EVIDENCE.exists(kept.files.get().media_file.original.name)
    assert dropped.resident is None and dropped.deleted_at is not None
    assert dropped.contact_email == "" and not storage.EVIDENCE.exists(dropped_name)
