"""The demo's drawn photos carry GPS like a phone's and go through the real upload path."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from porchlight.demo.photos import demo_photo, scene

pytestmark = pytest.mark.django_db


def test_demo_photo_is_stored_without_its_gps(media_storage: Path) -> None:
    original = scene(1, 35.3733, -119.0187)
    with Image.open(io.BytesIO(original)) as image:
        assert 0x8825 in image.getexif()
    media = demo_photo(1, 35.3733, -119.0187)
    assert (media_storage / "evidence" / media.original.name).read_bytes() == original
    with Image.open(media_storage / "media" / media.published.name) as published:
        assert dict(published.getexif()) == {}
        assert published.size == (1280, 960)
    assert scene(2, 35.0, -119.0) != original  # each seed its own scene
