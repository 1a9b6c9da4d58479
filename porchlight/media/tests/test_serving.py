"""/media/ serves published copies and posters (never originals), as inert files, with byte
ranges for video players."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from porchlight.media.storage import keep
from porchlight.media.uploads import accept_image
from standins.media import jpeg_with_gps, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(media_storage: Path) -> Any:
    return keep(accept_image(upload("p.jpg", jpeg_with_gps())))


def test_published_copy_is_served_inert(client: Any, photo: Any, media_storage: Path) -> None:
    r = client.get(photo.published.url)
    assert r.status_code == 200
    body = b"".join(r.streaming_content)
    assert body == (media_storage / "media" / photo.published.name).read_bytes()
    assert r["Content-Type"] == "image/jpeg"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in r["Content-Security-Policy"]
    assert "immutable" in r["Cache-Control"]


def test_byte_ranges(client: Any, photo: Any, media_storage: Path) -> None:
    data = (media_storage / "media" / photo.published.name).read_bytes()
    r = client.get(photo.published.url, HTTP_RANGE="bytes=10-19")
    assert r.status_code == 206 and r.content == data[10:20]
    assert r["Content-Range"] == f"bytes 10-19/{len(data)}"
    r = client.get(photo.published.url, HTTP_RANGE="bytes=-5")
    assert r.status_code == 206 and r.content == data[-5:]
    r = client.get(photo.published.url, HTTP_RANGE=f"bytes={len(data) + 10}-")
    assert r.status_code == 416


def test_originals_and_other_paths_are_never_served(client: Any, photo: Any) -> None:
    assert client.get(f"/media/{photo.original.name}").status_code == 404
    assert client.get("/media/../evidence/" + photo.original.name).status_code == 404
    assert client.get("/media/published/2026/01/" + "0" * 32 + ".jpg").status_code == 404
    assert client.get("/media/settings.py").status_code == 404
    assert client.post(photo.published.url).status_code == 405
