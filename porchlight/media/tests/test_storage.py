"""Storage: originals byte-exact in the evidence storage with their SHA-256; published copies
and posters in the default storage; files named by the server, never by the uploader."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from porchlight.media.models import MediaFile
from porchlight.media.storage import keep
from porchlight.media.uploads import accept_image
from standins.media import GPS_TEXT, jpeg_with_gps, upload

pytestmark = pytest.mark.django_db


def test_original_is_kept_byte_exact_with_its_digest(media_storage: Path) -> None:
    original = jpeg_with_gps()
    media = keep(accept_image(upload("../../etc/passwd.jpg", original)))
    media = MediaFile.objects.get(pk=media.pk)

    stored = (media_storage / "evidence" / media.original.name).read_bytes()
    assert stored == original
    assert media.original_sha256 == hashlib.sha256(original).hexdigest()
    assert media.original_size == len(original)
    assert media.original_content_type == "image/jpeg"
    assert media.original_intact()
    # The evidence directory is not the published one.
    assert not (media_storage / "media" / media.original.name).exists()
    assert "passwd" not in media.original.name and ".." not in media.original.name


def test_published_copy_is_in_the_public_storage_without_gps(media_storage: Path) -> None:
    media = keep(accept_image(upload("p.jpg", jpeg_with_gps())))
    published = (media_storage / "media" / media.published.name).read_bytes()
    assert GPS_TEXT.encode() not in published and b"Exif" not in published
    assert media.published.url.startswith("/media/published/")
    assert (media.kind, media.content_type, media.width, media.height) == (
        "image",
        "image/jpeg",
        640,
        480,
    )
    assert media.poster.name == ""


def test_tampered_original_is_detected(media_storage: Path) -> None:
    media = keep(accept_image(upload("p.jpg", jpeg_with_gps())))
    path = media_storage / "evidence" / media.original.name
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    assert not media.original_intact()


def test_same_photo_twice_is_two_files_with_one_digest(media_storage: Path) -> None:
    data = jpeg_with_gps()
    a = keep(accept_image(upload("a.jpg", data)))
    b = keep(accept_image(upload("a.jpg", data)))
    assert a.original.name != b.original.name
    assert a.original_sha256 == b.original_sha256
    assert MediaFile.objects.filter(original_sha256=a.original_sha256).count() == 2
