"""Media for tests: real photos and videos carrying GPS metadata, uploads as Django makes them,
and a `media_storage` fixture that points both storages at a temporary directory.

    def test_x(media_storage): ...
    upload("photo.jpg", jpeg_with_gps())
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# A place with a recognisable decimal form: tests look for it in published bytes.
GPS_LAT, GPS_LON = 35.373292, -119.018712
GPS_TEXT = "35.3733"


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    s = round(((value - d) * 60 - m) * 60, 4)
    return (float(d), float(m), s)


def jpeg_with_gps(size: tuple[int, int] = (640, 480), *, fmt: str = "JPEG") -> bytes:
    """A photo with EXIF GPS, camera make and a comment, as a phone would write it."""
    image = Image.new("RGB", size, (180, 90, 40))
    for x in range(0, size[0], 16):  # some detail, so encoders have work to do
        for y in range(0, size[1], 16):
            image.putpixel((x, y), (x % 256, y % 256, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "PhoneModel X"  # Model
    exif[0x0112] = 1  # Orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = _dms(GPS_LAT)
    gps[3] = "W"
    gps[4] = _dms(GPS_LON)
    exif[0x8825] = gps
    out = io.BytesIO()
    kwargs: dict[str, Any] = {"exif": exif.tobytes()}
    if fmt == "JPEG":
        kwargs["comment"] = f"taken at {GPS_TEXT}"
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def png(size: tuple[int, int] = (64, 64), mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 200, 10, 128) if mode == "RGBA" else (10, 200, 10)).save(
        out, format="PNG"
    )
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> Any:
    """What request.FILES holds. The name and content type are the uploader's claim."""
    return SimpleUploadedFile(name, data, content_type=content_type)


def need_ffmpeg() -> str:
    """Fail (not skip) with the fix when ffmpeg is missing: a skipped video test hides a
    broken video path."""
    ffmpeg = shutil.which("ffmpeg")
    if not ffmpeg or not shutil.which("ffprobe"):
        pytest.fail(
            "ffmpeg/ffprobe not found: video tests need Debian's ffmpeg. "
            "Run scripts/setup-tests (it installs ffmpeg) or: sudo apt-get install ffmpeg",
            pytrace=False,
        )
    return ffmpeg


def video_with_gps(tmp: Path, fmt: str = "mp4", seconds: float = 2.0) -> bytes:
    """A short real video (test pattern and a tone) tagged with a location, a title and a
    creation time, in MP4, MOV or WebM."""
    ffmpeg = need_ffmpeg()
    out = tmp / f"gps.{fmt}"
    codecs = (
        ["-c:v", "libvpx", "-b:v", "200k", "-c:a", "libvorbis"]
        if fmt == "webm"
        else ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"]
    )
    iso6709 = f"+{GPS_LAT:.4f}{GPS_LON:+.4f}/"
    subprocess.run(
        [
            ffmpeg,
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc=size=320x240:rate=15:duration={seconds}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:duration={seconds}",
            *codecs,
            "-metadata",
            f"location={iso6709}",
            "-metadata",
            f"com.apple.quicktime.location.ISO6709={iso6709}",
            "-metadata",
            f"title=taken at {GPS_TEXT}",
            "-metadata",
            f"comment=gps {GPS_TEXT}",
            "-metadata",
            "creation_time=2026-11-22T14:14:00Z",
            "-metadata:s:v",
            f"handler_name=cam {GPS_TEXT}",
            *(["-movflags", "use_metadata_tags"] if fmt in ("mp4", "mov") else []),
            str(out),
        ],  # fmt: skip
        check=True,
        capture_output=True,
    )
    return out.read_bytes()


@pytest.fixture
def media_storage(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """Both storages (published and evidence) in a fresh temporary directory."""
    root = tmp_path / "storage"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root / "media"), "base_url": "/media/"},
        },
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root / "evidence")},
        },
    }
    yield root


# --- A resumable-upload purpose for tests (media/tus.py) -------------------------------------
TUS_PURPOSE = "test-purpose"
TUS_TOKEN = "test-capability-7f3c9e"  # what the test purpose's authorize() accepts


class TusProbe:
    """What the test purpose saw: the uploads completed, in order. Set `refuse` to make
    on_complete raise tus.Refused(status, reason)."""

    def __init__(self) -> None:
        self.completed: list[Any] = []
        self.refuse: tuple[int, str] | None = None


@pytest.fixture
def tus_purpose(media_storage: Path) -> Iterator[TusProbe]:
    """Registers TUS_PURPOSE for the test: authorized by metadata token=TUS_TOKEN (the ref is
    "ref-" + the metadata's "case" key), completions recorded on the probe."""
    from porchlight.media import tus

    probe = TusProbe()

    def authorize(request: Any, metadata: dict[str, str]) -> str | None:
        if metadata.get("token") != TUS_TOKEN:
            return None
        return "ref-" + metadata.get("case", "")

    def on_complete(upload: Any) -> None:
        if probe.refuse:
            raise tus.Refused(*probe.refuse)
        probe.completed.append(upload)

    tus.register_purpose(TUS_PURPOSE, authorize, on_complete)
    try:
        yield probe
    finally:
        tus.unregister_purpose(TUS_PURPOSE)


def tus_metadata(**values: str) -> str:
    """An Upload-Metadata header: key base64(value) pairs."""
    import base64

    return ",".join(
        f"{key} {base64.b64encode(value.encode()).decode()}" if value else key
        for key, value in values.items()
    )
