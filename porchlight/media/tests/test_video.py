"""Videos (MP4, MOV, WebM) through Debian's ffmpeg: probed, published with no metadata (the
location included), given a poster frame; the original kept byte-exact."""

from __future__ import annotations

import hashlib
import io
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from porchlight.media.storage import keep
from porchlight.media.uploads import UploadRefused, accept_video
from porchlight.media.video import probe
from standins.media import GPS_TEXT, need_ffmpeg, upload, video_with_gps


@pytest.fixture(autouse=True)
def ffmpeg() -> str:
    return need_ffmpeg()


def _tags(path: Path) -> dict[str, str]:
    info = probe(str(path))
    tags: dict[str, str] = dict(info["format"].get("tags") or {})
    for stream in info["streams"]:
        tags.update({f"stream.{k}": v for k, v in (stream.get("tags") or {}).items()})
    return tags


@pytest.mark.parametrize(
    ("fmt", "out"), [("mp4", "video/mp4"), ("mov", "video/mp4"), ("webm", "video/webm")]
)
@pytest.mark.django_db
def test_video_is_published_without_metadata(
    tmp_path: Path, media_storage: Path, fmt: str, out: str
) -> None:
    original = video_with_gps(tmp_path, fmt)
    src = tmp_path / f"src.{fmt}"
    src.write_bytes(original)
    before = _tags(src)
    assert any(GPS_TEXT in v or "+35.37" in v for v in before.values()), before

    accepted = accept_video(upload(f"clip.{fmt}", original, "video/mp4"))
    assert accepted.content_type == out
    assert (accepted.width, accepted.height) == (320, 240)
    assert accepted.duration is not None and 1.5 < accepted.duration < 2.5
    assert accepted.sha256 == hashlib.sha256(original).hexdigest()

    published = accepted.published.read()
    pub = tmp_path / f"pub.{accepted.extension}"
    pub.write_bytes(published)
    after = _tags(pub)
    leaked = {k: v for k, v in after.items() if GPS_TEXT in v or "+35.37" in v or "2026-11-22" in v}
    assert leaked == {}
    assert not any(
        "location" in k.lower() or k in ("title", "comment", "creation_time") for k in after
    )
    assert GPS_TEXT.encode() not in published and b"+35.37" not in published
    assert b"ISO6709" not in published
    # Still a playable video with its sound.
    kinds = sorted(s["codec_type"] for s in probe(str(pub))["streams"])
    assert kinds == ["audio", "video"]

    assert accepted.poster is not None
    with Image.open(io.BytesIO(accepted.poster.read())) as poster:
        assert poster.format == "JPEG" and poster.size == (320, 240)
        assert dict(poster.getexif()) == {}

    accepted.original.seek(0)
    media = keep(accepted)
    assert (media_storage / "evidence" / media.original.name).read_bytes() == original
    assert media.original_intact()
    assert media.poster.name.startswith("posters/") and media.kind == "video"


def test_a_broken_video_is_unreadable(tmp_path: Path) -> None:
    original = video_with_gps(tmp_path, "mp4")
    with pytest.raises(UploadRefused) as caught:
        accept_video(upload("clip.mp4", original[: len(original) // 3]))
    assert caught.value.code == "unreadable"


def test_too_long_video_is_refused(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PORCHLIGHT_MAX_VIDEO_SECONDS = 1
    with pytest.raises(UploadRefused) as caught:
        accept_video(upload("clip.mp4", video_with_gps(tmp_path, "mp4")))
    assert caught.value.code == "too_long"


def test_oversized_video_is_refused(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PORCHLIGHT_MAX_VIDEO_BYTES = 1000
    with pytest.raises(UploadRefused) as caught:
        accept_video(upload("clip.mp4", video_with_gps(tmp_path, "mp4")))
    assert caught.value.code == "too_large"


def test_audio_only_file_is_not_a_video(tmp_path: Path, ffmpeg: str) -> None:
    out = tmp_path / "a.mp4"
    subprocess.run(
        [ffmpeg, "-v", "error", "-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", str(out)],
        check=True,
    )
    with pytest.raises(UploadRefused) as caught:
        accept_video(upload("a.mp4", out.read_bytes()))
    assert caught.value.code in ("wrong_type",)


@pytest.mark.django_db
def test_codec_the_mp4_container_cannot_carry_is_transcoded(tmp_path: Path, ffmpeg: str) -> None:
    # A camera MOV with uncompressed PCM sound: MP4 cannot carry PCM, so the sound becomes AAC.
    out = tmp_path / "cam.mov"
    subprocess.run(
        [
            ffmpeg,
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=160x120:rate=10:duration=1",
            "-f",
            "lavfi",
            "-i",
            "sine=duration=1",
            "-c:v",
            "mjpeg",
            "-c:a",
            "pcm_s16le",
            "-metadata",
            f"location=+{GPS_TEXT}-119.0187/",
            str(out),
        ],  # fmt: skip
        check=True,
    )
    accepted = accept_video(upload("cam.mov", out.read_bytes()))
    pub = tmp_path / "pub.mp4"
    pub.write_bytes(accepted.published.read())
    codecs = sorted(s["codec_name"] for s in probe(str(pub))["streams"])
    assert "pcm_s16le" not in codecs and "aac" in codecs
    assert GPS_TEXT.encode() not in pub.read_bytes()
    assert not any("location" in k for k in _tags(pub))


def test_upright_phone_video_keeps_its_turn_and_reports_portrait(
    tmp_path: Path, ffmpeg: str
) -> None:
    landscape = tmp_path / "l.mp4"
    landscape.write_bytes(video_with_gps(tmp_path, "mp4"))
    turned = tmp_path / "t.mp4"
    subprocess.run(
        [
            ffmpeg,
            "-v",
            "error",
            "-i",
            str(landscape),
            "-c",
            "copy",
            "-metadata:s:v:0",
            "rotate=90",
            str(turned),
        ],
        check=True,
    )
    accepted = accept_video(upload("t.mp4", turned.read_bytes()))
    assert (accepted.width, accepted.height) == (240, 320)
    pub = tmp_path / "pub.mp4"
    pub.write_bytes(accepted.published.read())
    video = next(s for s in probe(str(pub))["streams"] if s["codec_type"] == "video")
    assert any(side.get("rotation") in (90, -90) for side in video.get("side_data_list", []))
    assert accepted.poster is not None
    with Image.open(io.BytesIO(accepted.poster.read())) as poster:
        assert poster.size == (240, 320)
