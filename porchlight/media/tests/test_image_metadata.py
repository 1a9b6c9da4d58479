"""Published photo copies carry no metadata (EXIF, GPS, comments); the original is untouched."""

from __future__ import annotations

import hashlib
import io

import pillow_heif
import pytest
from PIL import Image

from porchlight.media.uploads import accept_image
from standins.media import GPS_TEXT, jpeg_with_gps, png, upload


def _metadata(data: bytes) -> dict[str, object]:
    with Image.open(io.BytesIO(data)) as image:
        return {"exif": dict(image.getexif()), "info": dict(image.info)}


def test_exif_and_gps_are_gone_from_the_published_copy() -> None:
    original = jpeg_with_gps()
    before = _metadata(original)
    assert before["exif"] and 0x8825 in before["exif"]  # the fixture really has GPS
    assert GPS_TEXT.encode() in original

    accepted = accept_image(upload("IMG_0001.JPG", original, "image/jpeg"))
    published = accepted.published.read()

    after = _metadata(published)
    assert after["exif"] == {}
    assert not {"exif", "comment", "xmp", "icc_profile"} & set(after["info"])
    assert b"Exif" not in published and b"PhoneMaker" not in published
    assert GPS_TEXT.encode() not in published
    assert accepted.content_type == "image/jpeg"
    assert (accepted.width, accepted.height) == (640, 480)
    assert accepted.sha256 == hashlib.sha256(original).hexdigest()
    assert accepted.size == len(original)
    # The original is still the exact upload (evidence).
    accepted.original.seek(0)
    assert accepted.original.read() == original


def test_webp_with_exif_is_published_clean() -> None:
    accepted = accept_image(upload("x.webp", jpeg_with_gps(fmt="WEBP")))
    published = accepted.published.read()
    assert _metadata(published)["exif"] == {}
    assert accepted.original_content_type == "image/webp"


def test_sideways_phone_photo_is_published_upright() -> None:
    image = Image.new("RGB", (400, 200), "red")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    accepted = accept_image(upload("p.jpg", out.getvalue()))
    assert (accepted.width, accepted.height) == (200, 400)


def test_transparent_png_stays_png() -> None:
    accepted = accept_image(upload("logo.png", png()))
    assert accepted.content_type == "image/png"
    assert _metadata(accepted.published.read())["exif"] == {}


def test_large_photo_is_published_at_a_bounded_size() -> None:
    accepted = accept_image(upload("big.jpg", jpeg_with_gps((4000, 3000))))
    assert max(accepted.width, accepted.height) == 2560


@pytest.mark.parametrize("brand", ["HEIF"])
def test_heic_from_an_iphone_is_published_as_jpeg_without_gps(brand: str) -> None:
    # pillow-heif writes a real HEIC (HEVC) with EXIF GPS, like an iPhone's.
    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    source = Image.open(io.BytesIO(jpeg_with_gps((320, 240))))
    source.save(out, format=brand, exif=source.info["exif"])
    heic = out.getvalue()
    assert _metadata(heic)["exif"]  # GPS really is in there

    accepted = accept_image(upload("IMG_1234.HEIC", heic, "image/heic"))
    assert accepted.original_content_type == "image/heic"
    assert accepted.content_type == "image/jpeg"
    assert (accepted.width, accepted.height) == (320, 240)
    assert _metadata(accepted.published.read())["exif"] == {}


def test_heif_brands_filetype_does_not_know_are_still_photos() -> None:
    # An Android 10-bit HEIC says "heix"; filetype only knows "heic". Rewrite the brand of a
    # real HEIC to "heix" and it must still be taken (and decoded) as a photo.
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "blue").save(out, format="HEIF")
    data = bytearray(out.getvalue())
    assert data[4:8] == b"ftyp"
    data[8:12] = b"heix"
    size = int.from_bytes(data[0:4], "big")
    for i in range(16, size, 4):  # and among the compatible brands
        if data[i : i + 4] == b"heic":
            data[i : i + 4] = b"heix"
    accepted = accept_image(upload("x.heic", bytes(data)))
    assert accepted.original_content_type == "image/heif"
    assert (accepted.width, accepted.height) == (64, 48)
