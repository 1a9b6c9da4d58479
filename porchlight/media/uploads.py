"""Checking an uploaded photo or video and making the copy the public may see.

    accepted = accept_image(request.FILES["photo"])    # or accept_video(...)
    media = storage.keep(accepted)                       # a saved MediaFile

Either raises UploadRefused(code, message): show `message` (translated) and answer 400.

The checks, in order, and why:
  - size: before anything reads the file (settings PORCHLIGHT_MAX_IMAGE_BYTES / _VIDEO_BYTES);
  - type: sniffed from the bytes with `filetype`; the name and the browser's content type are
    ignored, since both are the uploader's to choose;
  - polyglot: a file that is also a ZIP, PDF or HTML/script (an image with a payload for
    whoever downloads the original) is refused outright;
  - decompression bomb: the pixel count is read from the header and refused before any
    decoding (PORCHLIGHT_MAX_IMAGE_PIXELS), and Pillow's own MAX_IMAGE_PIXELS guard is set to
    the same limit as a second line;
  - the published copy is re-encoded from decoded pixels, so no metadata (EXIF, GPS, XMP,
    IPTC, comments, trailing data) can survive; videos go through ffmpeg (media/video.py).

The original is kept byte-exact (it may be evidence), with its SHA-256 taken here at receipt.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import IO, Any, cast

import filetype
import pillow_heif
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

pillow_heif.register_heif_opener()

MB = 1024 * 1024
IMAGE_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/heif": "heif",
    "image/avif": "avif",
}
VIDEO_TYPES = {
    "video/mp4": "mp4",
    "video/x-m4v": "m4v",
    "video/quicktime": "mov",
    "video/webm": "webm",
}
# The published copy's longest side: enough for a phone screen at 2x, and a bound on the work.
PUBLISHED_MAX_SIDE = 2560

# Markers of another format inside an image. Each is long and specific enough that compressed
# pixel data never contains it by chance.
_FOREIGN = re.compile(
    rb"%PDF-|<\s*(?:script|html|!doctype|iframe|svg|object|embed|body|meta)\b|<\?php|javascript:",
    re.IGNORECASE,
)


def limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_image_bytes() -> int:
    return limit("PORCHLIGHT_MAX_IMAGE_BYTES", 20 * MB)


def max_video_bytes() -> int:
    return limit("PORCHLIGHT_MAX_VIDEO_BYTES", 200 * MB)


def max_image_pixels() -> int:
    # 50 megapixels: every phone camera's full resolution fits; a bomb does not.
    return limit("PORCHLIGHT_MAX_IMAGE_PIXELS", 50_000_000)


def says(message: Promise, **params: object) -> Promise:
    """A translatable message with parameters that stays lazy: it is rendered in the language
    active where it is shown, not where the upload was refused."""
    return cast(Promise, lazy(lambda: str(message) % params, str)())


class UploadRefused(Exception):
    """An upload the product will not take. `code` is stable (logs, APIs, tests); `message`
    is for the person, in their language."""

    CODES = ("empty", "too_large", "wrong_type", "polyglot", "bomb", "unreadable", "too_long")

    def __init__(self, code: str, message: str | Promise) -> None:
        assert code in self.CODES, code
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Accepted:
    kind: str  # "image" or "video"
    original: File[Any]  # the upload itself, rewound; stored byte-exact by storage.keep()
    original_content_type: str  # sniffed, not claimed
    original_extension: str
    size: int
    sha256: str  # of the original's bytes, taken at receipt
    published: File[Any]  # the copy the public may see: metadata stripped, re-encoded
    content_type: str  # the published copy's
    extension: str  # the published copy's
    width: int
    height: int
    duration: float | None = None  # seconds, videos only
    poster: File[Any] | None = field(default=None)  # a JPEG frame, videos only


def _size_of(upload: IO[bytes]) -> int:
    size = getattr(upload, "size", None)
    if isinstance(size, int):
        return size
    upload.seek(0, io.SEEK_END)
    end = upload.tell()
    upload.seek(0)
    return end


def _digest(upload: IO[bytes]) -> str:
    upload.seek(0)
    h = hashlib.sha256()
    for chunk in iter(lambda: upload.read(MB), b""):
        h.update(chunk)
    upload.seek(0)
    return h.hexdigest()


def _check_size(upload: IO[bytes], most: int) -> int:
    size = _size_of(upload)
    if size == 0:
        raise UploadRefused("empty", _("The file is empty."))
    if size > most:
        raise UploadRefused(
            "too_large",
            says(_("The file is too large: the limit is %(limit)s MB."), limit=most // MB),
        )
    return size


# ISO base media brands filetype does not know, from real phones: 10-bit and sequence HEIF
# (Android "heix", "hevc"), and MP4 variants (3GPP from older Android, "iso4"-"iso6" from
# editing apps, "avc1", DASH recordings).
_HEIF_BRANDS = {"heic", "heix", "heim", "heis", "hevc", "hevx", "heif"}
_MP4_BRANDS = {
    "3gp4", "3gp5", "3gp6", "3g2a", "avc1", "iso2", "iso4", "iso5", "iso6", "mp71", "dash", "f4v ",
}  # fmt: skip


def _isobmff_brands(head: bytes) -> set[str]:
    """The major and compatible brands of an ISO base media file's ftyp box, or none."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return set()
    size = min(int.from_bytes(head[0:4], "big"), len(head))
    brands = {head[8:12].decode("latin-1")}
    brands.update(head[i : i + 4].decode("latin-1") for i in range(16, size - 3, 4))
    return brands


def _sniff(upload: IO[bytes], allowed: dict[str, str], wrong: Promise) -> str:
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else ""
    if not mime:
        brands = _isobmff_brands(head)
        if brands & _HEIF_BRANDS:
            mime = "image/heif"
        elif brands & _MP4_BRANDS:
            mime = "video/mp4"
    if mime not in allowed:
        raise UploadRefused("wrong_type", wrong)
    return mime


def _image_end(data: bytes, mime: str) -> int | None:
    """Where the image's own bytes end (anything after is smuggled data), when knowable."""
    if mime == "image/png":
        at = data.rfind(b"IEND")
        return at + 8 if at >= 0 else None  # chunk type + CRC
    if mime == "image/jpeg":
        at = data.rfind(b"\xff\xd9")
        return at + 2 if at >= 0 else None
    if mime == "image/webp" and len(data) >= 8:
        return 8 + int.from_bytes(data[4:8], "little")
    return None


def _check_polyglot(data: bytes, mime: str) -> None:
    polyglot = UploadRefused(
        "polyglot",
        _("This file is not only a picture: it also contains another kind of file."),
    )
    if _FOREIGN.search(data):
        raise polyglot
    if zipfile.is_zipfile(io.BytesIO(data)):
        raise polyglot
    end = _image_end(data, mime)
    if end is not None:
        trailing = data[end:]
        # A few bytes of padding are common from cameras and editors, and "motion photos"
        # (Google, Samsung) append their short video after the JPEG; anything else is a payload.
        motion = b"ftyp" in trailing[:64] or trailing.endswith(b"SEFT")
        if len(trailing.strip(b"\x00\r\n \xff")) > 16 and not motion:
            raise polyglot


def accept_image(upload: IO[bytes]) -> Accepted:
    size = _check_size(upload, max_image_bytes())
    mime = _sniff(upload, IMAGE_TYPES, _("This file is not a photo (JPEG, PNG, WebP or HEIC)."))
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    _check_polyglot(data, mime)
    sha256 = hashlib.sha256(data).hexdigest()

    Image.MAX_IMAGE_PIXELS = max_image_pixels()
    bomb = UploadRefused(
        "bomb",
        says(
            _("The picture is too large to open (%(pixels)s megapixels at most)."),
            pixels=max_image_pixels() // 1_000_000,
        ),
    )
    unreadable = UploadRefused("unreadable", _("The photo could not be read. Try another one."))
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            # Before any decoding: the header's size alone says whether this is a bomb.
            if width * height > max_image_pixels() or width > 30000 or height > 30000:
                raise bomb
            image.seek(0)  # animated WebP/AVIF: the first frame only
            if image.format == "JPEG":
                # Decode a 12-megapixel JPEG at 1/2 or 1/4 scale when the published size is
                # smaller anyway: several times faster and less memory, same result.
                image.draft("RGB", (PUBLISHED_MAX_SIDE, PUBLISHED_MAX_SIDE))
            image.load()
            published, out_mime, out_ext = _reencode(image)
    except UploadRefused:
        raise
    except Image.DecompressionBombError:
        raise bomb from None
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombWarning):
        raise unreadable from None
    with Image.open(io.BytesIO(published)) as check:
        out_w, out_h = check.size
    return Accepted(
        kind="image",
        original=File(upload),
        original_content_type=mime,
        original_extension=IMAGE_TYPES[mime],
        size=size,
        sha256=sha256,
        published=ContentFile(published),
        content_type=out_mime,
        extension=out_ext,
        width=out_w,
        height=out_h,
    )


def _reencode(image: Image.Image) -> tuple[bytes, str, str]:
    """New pixels in a new file: nothing of the original's metadata is carried over."""
    # A phone's portrait photo is stored sideways with an EXIF "rotate" flag; apply the flag
    # to the pixels, since the flag itself is about to be dropped.
    upright = ImageOps.exif_transpose(image)
    upright.thumbnail((PUBLISHED_MAX_SIDE, PUBLISHED_MAX_SIDE))
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or (
        upright.mode == "P" and "transparency" in upright.info
    )
    # Copy the pixels into a fresh image so no info dict (EXIF, XMP, ICC, comments) follows.
    mode = "RGBA" if has_alpha else "RGB"
    clean = Image.new(mode, upright.size)
    clean.paste(upright.convert(mode))
    out = io.BytesIO()
    if has_alpha:
        clean.save(out, format="PNG", optimize=True)
        return out.getvalue(), "image/png", "png"
    clean.save(out, format="JPEG", quality=85, optimize=True, progressive=True)
    return out.getvalue(), "image/jpeg", "jpg"


def accept_video(upload: IO[bytes]) -> Accepted:
    from porchlight.media import video  # ffmpeg is needed only here

    size = _check_size(upload, max_video_bytes())
    mime = _sniff(upload, VIDEO_TYPES, _("This file is not a video (MP4, MOV or WebM)."))
    sha256 = _digest(upload)
    return video.accept(upload, mime=mime, extension=VIDEO_TYPES[mime], size=size, sha256=sha256)


def accept_media(upload: IO[bytes]) -> Accepted:
    """A photo or a video, whichever the bytes say it is (resumable uploads take either).

    The kind is sniffed before any size check, so a long video is held to the video limit and
    not refused as an over-large photo."""
    wrong = _("This file is not a photo or a video (JPEG, PNG, WebP, HEIC, MP4, MOV or WebM).")
    for types, accept in ((IMAGE_TYPES, accept_image), (VIDEO_TYPES, accept_video)):
        try:
            _sniff(upload, types, wrong)
        except UploadRefused:
            continue
        return accept(upload)
    raise UploadRefused("wrong_type", wrong)
