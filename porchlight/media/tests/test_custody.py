"""The chain of custody: every download re-hashes the original and is recorded with the result;
a tampered original is refused (and the refusal recorded); deletion removes the bytes and keeps
the history."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db.models import ProtectedError
from django.test import RequestFactory

from porchlight.agencies.models import Staff
from porchlight.audit.models import AuditEntry
from porchlight.media import custody
from porchlight.media.models import CustodyEntry, MediaFile
from porchlight.media.storage import evidence_storage, keep, public_storage
from porchlight.media.uploads import accept_image
from standins.media import jpeg_with_gps, upload

Action = CustodyEntry.Action


@pytest.fixture
def evidence(media_storage: Any, db: None) -> tuple[MediaFile, bytes]:
    data = jpeg_with_gps()
    return keep(accept_image(upload("x.jpg", data))), data


@pytest.fixture
def detective(agency: Any) -> Any:
    user = get_user_model().objects.create_user(username="det.ruiz", password="x" * 20)
    Staff.objects.create(user=user, agency=agency, role="admin")
    return user


def _done(response: Any) -> None:
    # Close the file only: response.close() would fire request_finished, which closes the
    # test's database connection.
    if hasattr(response, "file_to_stream") and response.file_to_stream is not None:
        response.file_to_stream.close()


def _request(user: Any) -> Any:
    request = RequestFactory().get("/console/x", REMOTE_ADDR="203.0.113.9")
    request.user = user
    return request


def test_download_sends_the_exact_original_and_records_it(
    evidence: tuple[MediaFile, bytes], detective: Any
) -> None:
    media, data = evidence
    response = custody.download_response(_request(detective), media)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    _done(response)
    assert body == data
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"evidence-{media.original_sha256[:16]}.jpg" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert response["Repr-Digest"] == f"sha-256=:{digest}:"

    [entry] = CustodyEntry.objects.all()
    assert (entry.action, entry.user, entry.actor, entry.digest_ok) == (
        Action.DOWNLOADED,
        detective,
        "det.ruiz",
        True,
    )
    assert entry.ip == "203.0.113.9"  # staff reading evidence: the address is kept
    audit = AuditEntry.objects.get(action="media.download")
    assert audit.actor == detective and audit.agency == detective.staff.agency


def test_every_download_is_a_new_entry(evidence: tuple[MediaFile, bytes], detective: Any) -> None:
    media, _data = evidence
    for _ in range(3):
        _done(custody.download_response(_request(detective), media))
    assert list(media.custody.values_list("action", flat=True)) == [Action.DOWNLOADED] * 3


def test_tampered_original_is_refused_and_the_refusal_recorded(
    evidence: tuple[MediaFile, bytes], detective: Any
) -> None:
    media, data = evidence
    path = evidence_storage().path(media.original.name)
    with open(path, "r+b") as f:  # one byte changed on disk
        f.seek(len(data) // 2)
        byte = f.read(1)
        f.seek(len(data) // 2)
        f.write(bytes([byte[0] ^ 0x01]))
    response = custody.download_response(_request(detective), media)
    assert response.status_code == 409
    assert "SHA-256" in response.content.decode()
    assert b"\xff\xd8" not in response.content  # none of the file went out
    [entry] = CustodyEntry.objects.all()
    assert entry.action == Action.DOWNLOADED and entry.digest_ok is False
    assert entry.note.startswith("digest mismatch: ")
    assert AuditEntry.objects.filter(action="media.download_refused").count() == 1


def test_missing_original_is_refused_and_recorded(
    evidence: tuple[MediaFile, bytes], detective: Any
) -> None:
    media, _data = evidence
    evidence_storage().delete(media.original.name)
    response = custody.download_response(_request(detective), media)
    assert response.status_code == 409
    assert CustodyEntry.objects.get().digest_ok is False


def test_record_names_residents_by_id_and_keeps_no_address(
    evidence: tuple[MediaFile, bytes],
) -> None:
    media, _data = evidence
    resident = get_user_model().objects.create_user(username="neighbor@example.org")
    entry = custody.record(media, Action.WITHDRAWN, request=_request(resident), note="changed mind")
    assert entry.actor == f"user {resident.pk}" and entry.user == resident
    assert "example.org" not in entry.actor
    assert entry.ip is None
    anonymous = custody.record(media, Action.VIEWED, request=_request(AnonymousUser()))
    assert (anonymous.actor, anonymous.user, anonymous.ip) == ("anonymous", None, None)
    system = custody.record(media, Action.TAKEN_INTO_EVIDENCE, actor="rms-sync")
    assert system.actor == "rms-sync"
    with pytest.raises(ValueError):
        custody.record(media, "copied")


def test_entries_are_never_changed(evidence: tuple[MediaFile, bytes]) -> None:
    media, _data = evidence
    entry = custody.record(media, Action.VIEWED, actor="x")
    entry.note = "edited"
    with pytest.raises(ValueError):
        entry.save()
    assert CustodyEntry.objects.get().note == ""


def test_delete_original_removes_bytes_and_keeps_history(
    evidence: tuple[MediaFile, bytes], detective: Any
) -> None:
    media, _data = evidence
    names = (media.original.name, media.published.name)
    _done(custody.download_response(_request(detective), media))
    entry = custody.delete_original(media, reason="share expired 30 days ago")
    assert entry.action == Action.DELETED and entry.actor == "retention"
    assert entry.note == "share expired 30 days ago"
    assert not evidence_storage().exists(names[0])
    assert not public_storage().exists(names[1])
    media.refresh_from_db()
    assert media.original.name == "" and media.published.name == ""
    assert media.original_sha256  # the digest stays, naming what was deleted
    assert list(media.custody.values_list("action", flat=True)) == [
        Action.DOWNLOADED,
        Action.DELETED,
    ]
    # After deletion a download is refused, and that too is recorded.
    assert custody.download_response(_request(detective), media).status_code == 409
    assert media.custody.count() == 3


def test_a_file_with_custody_history_cannot_be_deleted_by_accident(
    evidence: tuple[MediaFile, bytes],
) -> None:
    media, _data = evidence
    custody.record(media, Action.RECEIVED, actor="uploader")
    with pytest.raises(ProtectedError):
        media.delete()


def test_a_staff_view_of_the_preview_is_recorded_once_per_view(
    evidence: tuple[MediaFile, bytes], detective: Any
) -> None:
    media, _data = evidence
    with media.published.open("rb") as f:
        published = f.read()
    response = custody.preview_response(_request(detective), media)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == published  # type: ignore[attr-defined]
    _done(response)
    assert response["Cache-Control"] == "private, no-store"
    assert "sandbox" in response["Content-Security-Policy"]
    # A player's later ranges of the same view are not more views.
    request = RequestFactory().get("/x", HTTP_RANGE="bytes=100-199")
    request.user = detective
    ranged = custody.preview_response(request, media)
    assert ranged.status_code == 206 and ranged.content == published[100:200]
    [entry] = CustodyEntry.objects.all()
    assert (entry.action, entry.user, entry.ip) == (Action.VIEWED, detective, "203.0.113.9")
