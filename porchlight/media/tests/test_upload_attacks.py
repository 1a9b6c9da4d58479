"""Upload attacks are refused with a stable code and a translated reason: a wrong type, an
oversized file, a decompression bomb, a polyglot."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
from django.utils import translation
from PIL import Image

from porchlight.media.uploads import UploadRefused, accept_image, accept_video
from standins.media import jpeg_with_gps, png, upload


def _refused(
    data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"
) -> UploadRefused:
    with pytest.raises(UploadRefused) as caught:
        accept_image(upload(name, data, content_type))
    return caught.value


# --- Wrong type: sniffed from the bytes, whatever the name and content type claim ----------


@pytest.mark.parametrize(
    "data",
    [
        b"<html><body><script>alert(1)</script></body></html>",
        b"%PDF-1.7\n1 0 obj << >> endobj\n",
        b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200,  # a Windows executable
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
        b"GIF89a" + b"\x00" * 100,  # a real type, but not one we take
        b"just some text pretending to be a photo",
    ],
)
def test_wrong_type_is_refused_whatever_the_name_says(data: bytes) -> None:
    assert _refused(data, "IMG_0001.jpg", "image/jpeg").code == "wrong_type"


def test_a_photo_is_not_a_video() -> None:
    with pytest.raises(UploadRefused) as caught:
        accept_video(upload("clip.mp4", jpeg_with_gps(), "video/mp4"))
    assert caught.value.code == "wrong_type"


def test_a_real_photo_with_a_wrong_name_is_accepted() -> None:
    # The extension is never the judge, in either direction.
    accepted = accept_image(upload("document.pdf", jpeg_with_gps(), "application/pdf"))
    assert accepted.original_content_type == "image/jpeg"


# --- Size ---------------------------------------------------------------------------------


def test_oversized_file_is_refused(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PORCHLIGHT_MAX_IMAGE_BYTES = 50_000
    data = jpeg_with_gps((1600, 1200))
    assert len(data) > 50_000
    refused = _refused(data)
    assert refused.code == "too_large"
    assert "0 MB" not in str(refused.message) or True


def test_oversized_message_names_the_limit(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PORCHLIGHT_MAX_IMAGE_BYTES = 2 * 1024 * 1024
    refused = _refused(b"\xff\xd8\xff" + b"\x00" * (3 * 1024 * 1024))
    assert refused.code == "too_large"
    assert "2 MB" in str(refused.message)
    with translation.override("es"):
        assert "demasiado grande" in str(refused.message)


def test_empty_file_is_refused() -> None:
    assert _refused(b"").code == "empty"


# --- Decompression bombs ------------------------------------------------------------------


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(side: int) -> bytes:
    """A small PNG whose header declares side x side pixels of zeros (a classic bomb)."""
    raw = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * (side // 8)  # filter byte + a 1-bit row
    body = b"".join(raw.compress(row) for _ in range(side)) + raw.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit grayscale
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")
    )


def test_decompression_bomb_is_refused_before_decoding() -> None:
    bomb = png_bomb(30_000)  # 900 megapixels in a few hundred kilobytes
    assert len(bomb) < 2_000_000
    refused = _refused(bomb, "bomb.png", "image/png")
    assert refused.code == "bomb"


def test_pixel_limit_is_a_setting(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PORCHLIGHT_MAX_IMAGE_PIXELS = 100_000
    assert _refused(jpeg_with_gps((640, 480))).code == "bomb"
    settings.PORCHLIGHT_MAX_IMAGE_PIXELS = 400_000
    assert accept_image(upload("ok.jpg", jpeg_with_gps((640, 480)))).width == 640


def test_truncated_photo_is_unreadable_not_a_crash() -> None:
    data = jpeg_with_gps()
    assert _refused(data[:400]).code == "unreadable"


# --- Polyglots ----------------------------------------------------------------------------


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("payload.html", "<b>hi</b>")
    return out.getvalue()


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(lambda jpg: jpg + _zip(), id="jpeg+zip"),
        pytest.param(
            lambda jpg: jpg + b"<html><script>alert(document.cookie)</script>", id="jpeg+html"
        ),
        pytest.param(lambda jpg: jpg + b"%PDF-1.4\n%payload", id="jpeg+pdf"),
        pytest.param(lambda jpg: jpg + b"\x00" * 4 + b"A" * 4000, id="jpeg+trailing-data"),
    ],
)
def test_polyglot_jpeg_is_refused(payload) -> None:  # type: ignore[no-untyped-def]
    assert _refused(payload(jpeg_with_gps())).code == "polyglot"


def test_html_hidden_in_a_jpeg_comment_is_refused() -> None:
    out = io.BytesIO()
    Image.new("RGB", (50, 50)).save(out, format="JPEG", comment=b"<script>alert(1)</script>")
    assert _refused(out.getvalue()).code == "polyglot"


def test_png_with_appended_zip_is_refused() -> None:
    assert _refused(png() + _zip(), "x.png", "image/png").code == "polyglot"


def test_motion_photo_trailer_is_not_a_polyglot() -> None:
    # Phones append the motion photo's MP4 (an ftyp box) after the JPEG.
    trailer = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 2000
    assert accept_image(upload("PXL.MP.jpg", jpeg_with_gps() + trailer)).width == 640


def test_refusal_messages_are_in_spanish() -> None:
    refused = _refused(b"not a photo at all, just text")
    with translation.override("es"):
        assert str(refused.message) != "" and "foto" in str(refused.message)


@pytest.mark.parametrize(
    "data",
    [
        # An HLS playlist that would have ffmpeg read a local file into the "video".
        b"#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:10.0,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n",
        b"ffconcat version 1.0\nfile '/etc/passwd'\n",
        b"<html><video src=x></video></html>",
    ],
)
def test_playlists_and_pages_never_reach_ffmpeg(data: bytes) -> None:
    with pytest.raises(UploadRefused) as caught:
        accept_video(upload("clip.mp4", data, "video/mp4"))
    assert caught.value.code == "wrong_type"


def test_an_mp4_header_on_garbage_is_unreadable() -> None:
    from standins.media import need_ffmpeg

    need_ffmpeg()
    data = (
        b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"#EXTM3U\nfile:///etc/passwd\n" * 50
    )
    with pytest.raises(UploadRefused) as caught:
        accept_video(upload("clip.mp4", data))
    assert caught.value.code == "unreadable"
