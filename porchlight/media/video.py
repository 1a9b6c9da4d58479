"""Videos through Debian's ffmpeg: probe, strip every piece of metadata, take a poster frame.

The published copy is a stream copy (no re-encoding: phones' H.264/HEVC stays as it is, and
two cores are not spent transcoding) into a fresh container with global, per-stream and
chapter metadata dropped and data/subtitle tracks left out, which is where phones keep the
recording location (QuickTime ©xyz / com.apple.quicktime.location.ISO6709 and timed
metadata tracks). Only the first video track and the first audio track are kept.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.utils.translation import gettext_lazy as _

from porchlight.media.uploads import Accepted, UploadRefused, says

FFMPEG_MISSING = (
    "ffmpeg and ffprobe are needed for video uploads and were not found on PATH. "
    "Install Debian's package: apt-get install ffmpeg"
)
# Containers for the published copy: WebM stays WebM (VP8/VP9/AV1 + Opus/Vorbis), the rest
# (MP4, MOV, M4V) become MP4, which every browser plays.
_OUT = {"video/webm": ("webm", "video/webm")}
_DEFAULT_OUT = ("mp4", "video/mp4")


class VideoUnavailable(RuntimeError):
    """The server cannot process videos (ffmpeg missing): an operator's problem, not the
    uploader's."""


def tools() -> tuple[str, str]:
    ffmpeg, ffprobe = shutil.which("ffmpeg"), shutil.which("ffprobe")
    if not ffmpeg or not ffprobe:
        raise VideoUnavailable(FFMPEG_MISSING)
    return ffmpeg, ffprobe


def max_seconds() -> float:
    return float(getattr(settings, "PORCHLIGHT_MAX_VIDEO_SECONDS", 600))


def _timeout() -> float:
    return float(getattr(settings, "PORCHLIGHT_FFMPEG_TIMEOUT", 300))


# Untrusted input is read only as the container it was sniffed as, from a local file: ffmpeg
# would otherwise pick a demuxer by content, and a playlist (HLS, concat) can make it open
# other files or URLs. (The mov demuxer's external references are off by default.)
_DEMUXER = {"video/webm": "matroska"}
_SAFE_INPUT = ["-protocol_whitelist", "file"]


def probe(path: str, mime: str | None = None) -> dict[str, Any]:
    """ffprobe's JSON for a file (format, streams, tags); `mime` forces the demuxer."""
    _ffmpeg, ffprobe = tools()
    forced = ["-f", _DEMUXER.get(mime, "mov")] if mime else []
    done = subprocess.run(
        [
            ffprobe,
            "-v",
            "error",
            *_SAFE_INPUT,
            *forced,
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            path,
        ],  # fmt: skip
        capture_output=True,
        timeout=_timeout(),
        check=False,
    )
    if done.returncode != 0:
        raise ValueError(done.stderr.decode(errors="replace")[-500:])
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _run(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, timeout=_timeout(), check=False)
    if done.returncode != 0:
        raise ValueError(done.stderr.decode(errors="replace")[-500:])


def _unlinked(path: str) -> File[Any]:
    """An open file that disappears from disk now and from memory when closed."""
    handle = open(path, "rb")  # noqa: SIM115 - handed to the caller inside File
    os.unlink(path)
    return File(handle)


def _rotation(stream: dict[str, Any]) -> int:
    """The display rotation in degrees (0, 90, 180, 270), from the display matrix or the
    older "rotate" tag."""
    for side in stream.get("side_data_list") or []:
        if "rotation" in side:
            try:
                return int(round(float(side["rotation"]))) % 360
            except (TypeError, ValueError):
                return 0
    try:
        return int((stream.get("tags") or {}).get("rotate", 0)) % 360
    except ValueError:
        return 0


def accept(upload: IO[bytes], *, mime: str, extension: str, size: int, sha256: str) -> Accepted:
    ffmpeg, _ffprobe = tools()
    unreadable = UploadRefused("unreadable", _("The video could not be read. Try another one."))
    out_ext, out_mime = _OUT.get(mime, _DEFAULT_OUT)
    with tempfile.TemporaryDirectory(prefix="porchlight-video-") as work:
        source = os.path.join(work, f"in.{extension}")
        with open(source, "wb") as f:
            upload.seek(0)
            shutil.copyfileobj(upload, f, 1024 * 1024)
        upload.seek(0)
        try:
            info = probe(source, mime)
        except (ValueError, subprocess.TimeoutExpired):
            raise unreadable from None
        streams = info.get("streams") or []
        video = next((s for s in streams if s.get("codec_type") == "video"), None)
        if video is None:
            raise UploadRefused("wrong_type", _("This file is not a video (MP4, MOV or WebM)."))
        width, height = int(video.get("width") or 0), int(video.get("height") or 0)
        if not width or not height:
            raise unreadable
        if _rotation(video) % 180 == 90:
            # A phone held upright stores landscape frames and a display matrix that turns
            # them; players (and the poster below) show them turned, so report it that way.
            width, height = height, width
        if width * height > 8192 * 8192:
            raise UploadRefused("bomb", _("The video's picture is too large to process."))
        try:
            duration = float(info.get("format", {}).get("duration") or video.get("duration") or 0)
        except ValueError:
            duration = 0.0
        if duration > max_seconds():
            raise UploadRefused(
                "too_long",
                says(
                    _("The video is too long: %(minutes)s minutes at most."),
                    minutes=int(max_seconds() // 60),
                ),
            )
        published = os.path.join(work, f"out.{out_ext}")
        strip = [
            ffmpeg, "-nostdin", "-v", "error", "-y",
            *_SAFE_INPUT, "-f", _DEMUXER.get(mime, "mov"), "-i", source,
            "-map", "0:v:0", "-map", "0:a:0?",
            "-map_metadata", "-1", "-map_metadata:s", "-1", "-map_chapters", "-1",
            "-dn", "-sn", "-c", "copy",
            # No encoder/creation-time tags either: "-fflags +bitexact" leaves them out.
            "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
        ]  # fmt: skip
        if out_ext == "mp4":
            strip += ["-movflags", "+faststart"]
        try:
            _run([*strip, published])
        except ValueError:
            # A codec the container cannot carry as it is: re-encode to H.264/AAC (or VP9/Opus).
            codecs = (
                ["-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "33", "-c:a", "libopus"]
                if out_ext == "webm"
                else ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-c:a", "aac"]
            )
            try:
                _run(
                    [
                        *strip[: strip.index("-c")],
                        *codecs,
                        *strip[strip.index("-c") + 2 :],
                        published,
                    ]
                )
            except (ValueError, subprocess.TimeoutExpired):
                raise unreadable from None
        except subprocess.TimeoutExpired:
            raise unreadable from None
        poster = os.path.join(work, "poster.jpg")
        at = min(1.0, duration / 2) if duration else 0.0
        try:
            _run(
                [
                    ffmpeg,
                    "-nostdin",
                    "-v",
                    "error",
                    "-y",
                    *_SAFE_INPUT,
                    "-ss",
                    f"{at:.3f}",
                    "-i",
                    published,
                    "-frames:v",
                    "1",
                    "-vf",
                    "scale='min(1280,iw)':-2",
                    "-map_metadata",
                    "-1",
                    "-fflags",
                    "+bitexact",
                    "-q:v",
                    "4",
                    poster,
                ]  # fmt: skip
            )
        except (ValueError, subprocess.TimeoutExpired):
            raise unreadable from None
        return Accepted(
            kind="video",
            original=File(upload),
            original_content_type=mime,
            original_extension=extension,
            size=size,
            sha256=sha256,
            published=_unlinked(published),
            content_type=out_mime,
            extension=out_ext,
            width=width,
            height=height,
            duration=round(duration, 3) if duration else None,
            poster=_unlinked(poster),
        )
