"""The last byte of a resumable upload: the whole file is checked like any upload, stored with
the digest of the exact bytes received, its preview stripped, custody "received" recorded, and
then the purpose hears of it. Files the product will not take are refused and deleted."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from porchlight.media import tus
from porchlight.media.models import CustodyEntry, MediaFile, ResumableUpload
from porchlight.media.storage import evidence_storage
from standins.media import (
    GPS_TEXT,
    TUS_PURPOSE,
    TUS_TOKEN,
    TusProbe,
    jpeg_with_gps,
    tus_metadata,
    video_with_gps,
)

V = {"Tus-Resumable": "1.0.0"}
OCTETS = "application/offset+octet-stream"


def send(client: Client, data: bytes, pieces: int = 3) -> tuple[str, Any]:
    created = client.post(
        "/uploads/tus/",
        headers={
            **V,
            "Upload-Length": str(len(data)),
            "Upload-Metadata": tus_metadata(purpose=TUS_PURPOSE, token=TUS_TOKEN, case="C-9"),
        },
    )
    assert created.status_code == 201
    url = created["Location"]
    step = -(-len(data) // pieces)
    response = None
    for start in range(0, len(data), step):
        response = client.generic(
            "PATCH",
            url,
            data[start : start + step],
            content_type=OCTETS,
            headers={**V, "Upload-Offset": str(start)},
        )
        if start + step < len(data):
            assert response.status_code == 204, response.content
    return url, response


def test_digest_at_receipt_is_the_sha256_of_the_bytes_sent(db: None, tus_purpose: TusProbe) -> None:
    data = jpeg_with_gps((1200, 900))
    _url, last = send(Client(), data, pieces=4)
    assert last.status_code == 204
    media = MediaFile.objects.get()
    assert media.original_sha256 == hashlib.sha256(data).hexdigest()
    assert media.original_size == len(data)
    with evidence_storage().open(media.original.name, "rb") as f:
        assert f.read() == data  # byte-exact
    assert media.original_intact()
    upload = ResumableUpload.objects.get()
    assert upload.media_file == media and upload.completed_at is not None
    assert upload.offset == upload.length == len(data)


def test_preview_is_stripped_while_the_original_keeps_its_gps(
    db: None, tus_purpose: TusProbe
) -> None:
    data = jpeg_with_gps()
    send(Client(), data)
    media = MediaFile.objects.get()
    with media.original.open("rb") as f:
        original = f.read()
    assert original == data and GPS_TEXT.encode() in original
    with media.published.open("rb") as f:
        published = f.read()
    assert GPS_TEXT.encode() not in published and b"Exif" not in published
    with Image.open(io.BytesIO(published)) as image:
        assert dict(image.getexif()) == {}


def test_video_is_taken_and_its_copy_stripped(
    db: None, tus_purpose: TusProbe, tmp_path: Path
) -> None:
    data = video_with_gps(tmp_path)
    _url, last = send(Client(), data, pieces=5)
    assert last.status_code == 204, last.content
    media = MediaFile.objects.get()
    assert media.kind == "video"
    assert media.original_sha256 == hashlib.sha256(data).hexdigest()
    with media.published.open("rb") as f:
        assert GPS_TEXT.encode() not in f.read()


def test_custody_starts_with_received(db: None, tus_purpose: TusProbe) -> None:
    send(Client(), jpeg_with_gps())
    [entry] = CustodyEntry.objects.all()
    media = MediaFile.objects.get()
    assert entry.media_file == media
    assert entry.action == CustodyEntry.Action.RECEIVED
    assert entry.actor == f"uploader ({TUS_PURPOSE})"
    assert entry.user is None and entry.ip is None  # an anonymous resident: no address kept
    assert media.original_sha256 in entry.note


def test_on_complete_gets_the_upload_with_its_ref_and_metadata(
    db: None, tus_purpose: TusProbe
) -> None:
    send(Client(), jpeg_with_gps())
    [upload] = tus_purpose.completed
    assert upload.ref == "ref-C-9"
    assert upload.meta("case") == "C-9"
    assert upload.meta("token") == ""


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"%PDF-1.7\n" + b"0" * 3000, 415),  # not a photo or a video
        (b"\xff\xd8\xff\xe0" + b"garbage" * 400, 422),  # looks like a JPEG, is not one
    ],
)
def test_refused_file_deletes_the_partial(
    db: None, tus_purpose: TusProbe, data: bytes, status: int
) -> None:
    url, last = send(Client(), data)
    assert last.status_code == status
    assert last.content  # the reason, for the person
    assert MediaFile.objects.count() == 0 and CustodyEntry.objects.count() == 0
    assert ResumableUpload.objects.count() == 0
    assert Client().head(url, headers=V).status_code == 404
    assert tus_purpose.completed == []
    root = Path(evidence_storage().path("tus"))
    assert not root.exists() or not any(root.rglob("*"))


def test_a_purpose_refusing_at_completion_rolls_back_and_can_be_retried(
    db: None, tus_purpose: TusProbe
) -> None:
    data = jpeg_with_gps()
    tus_purpose.refuse = (409, "The request for help was withdrawn.")
    url, last = send(Client(), data)
    assert last.status_code == 409
    assert last.content.decode() == "The request for help was withdrawn."
    assert MediaFile.objects.count() == 0 and CustodyEntry.objects.count() == 0
    assert ResumableUpload.objects.get().completed_at is None

    tus_purpose.refuse = None
    retry = Client().generic(
        "PATCH", url, b"", content_type=OCTETS, headers={**V, "Upload-Offset": str(len(data))}
    )
    assert retry.status_code == 204
    assert MediaFile.objects.get().original_sha256 == hashlib.sha256(data).hexdigest()
    assert len(tus_purpose.completed) == 1


def test_a_completed_upload_cannot_be_terminated(db: None, tus_purpose: TusProbe) -> None:
    url, _last = send(Client(), jpeg_with_gps())
    assert Client().delete(url, headers=V).status_code == 409
    assert MediaFile.objects.count() == 1
    head = Client().head(url, headers=V)
    assert head.status_code == 200 and head["Upload-Offset"] == head["Upload-Length"]


def test_pieces_are_joined_in_order(db: None, tus_purpose: TusProbe, settings: Any) -> None:
    # Many small PATCHes: one piece each, joined in offset order.
    data = jpeg_with_gps((900, 700))
    send(Client(), data, pieces=17)
    assert MediaFile.objects.get().original_sha256 == hashlib.sha256(data).hexdigest()
    assert tus.PIECE > len(data)  # each PATCH here is a single piece


def test_a_photo_is_held_to_the_photo_limit_at_completion(
    db: None, tus_purpose: TusProbe, settings: Any
) -> None:
    # Creation allows up to the video limit; the finished file is held to its own kind's.
    data = jpeg_with_gps()
    settings.PORCHLIGHT_MAX_IMAGE_BYTES = len(data) - 1
    url, last = send(Client(), data)
    assert last.status_code == 413
    assert MediaFile.objects.count() == 0
    assert Client().head(url, headers=V).status_code == 404


def test_without_ffmpeg_the_bytes_wait_for_a_retry(
    db: None, tus_purpose: TusProbe, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from porchlight.media import video

    data = video_with_gps(tmp_path)

    def missing() -> tuple[str, str]:
        raise video.VideoUnavailable(video.FFMPEG_MISSING)

    monkeypatch.setattr(video, "tools", missing)
    url, last = send(Client(), data)
    assert last.status_code == 503  # the server's fault, not the file's
    head = Client().head(url, headers=V)
    assert head["Upload-Offset"] == str(len(data))  # nothing lost
    assert MediaFile.objects.count() == 0

    monkeypatch.undo()
    retry = Client().generic(
        "PATCH", url, b"", content_type=OCTETS, headers={**V, "Upload-Offset": str(len(data))}
    )
    assert retry.status_code == 204
    assert MediaFile.objects.get().original_sha256 == hashlib.sha256(data).hexdigest()
