"""Resumable uploads: a tus 1.0 server (https://tus.io/protocols/resumable-upload) with the
creation, termination and expiration extensions, at /uploads/tus/.

Any stock tus client can drive it (tus-js-client in the browser, tuspy, tusd's clients...): a
phone that loses its signal halfway through a 150 MB video picks up where it stopped.

    POST    /uploads/tus/        create: Upload-Length, Upload-Metadata → 201 + Location
    HEAD    /uploads/tus/<id>    how far: → Upload-Offset, Upload-Length
    PATCH   /uploads/tus/<id>    bytes at Upload-Offset (Content-Type application/offset+octet-stream)
    DELETE  /uploads/tus/<id>    give up: the bytes received are deleted
    OPTIONS either               what the server supports

Who may upload is decided per *purpose*. The app that wants files registers one from its
AppConfig.ready():

    tus.register_purpose("assist-share", authorize=share_ref, on_complete=attach_share)

- `authorize(request, metadata) -> ref | None` runs at creation with the decoded
  Upload-Metadata; it checks the purpose's own capability there (a share link's token, say)
  and returns a reference string that on_complete will find its object with, or None (403).
  It may raise Refused(status, reason) to say why.
- `on_complete(upload)` runs once, after the last byte, when the file has passed the same
  checks as any upload (media/uploads.py: type sniffing, polyglots, bombs, size) and is stored
  as a MediaFile (the original byte-exact with its SHA-256, the published copy stripped) with
  custody "received". It runs in the same transaction as marking the upload complete; raising
  Refused there answers the final PATCH with that status and rolls back.

Security. After creation, the upload's URL is its capability: a uuid4 (122 random bits).
Creation is the purpose's call: a capability in the metadata (a link's token), or the signed-in
session (assist's shares need a signed-in resident). The views are exempt from Django's CSRF
check because tus clients cannot send Django's token; what stops a cross-site request riding
the session instead is that every request but OPTIONS must carry `Tus-Resumable: 1.0.0` (and a
PATCH its own content type): a cross-site form cannot send either, and a cross-site script
cannot without a CORS preflight that this server never grants. (The session cookie is also
SameSite=Lax, so a cross-site POST goes without it.)

Storage. Bytes go to evidence storage as pieces (`tus/<id>/<offset>`), each saved before the
offset moves past it, so what a dropped connection delivered is kept, it works on S3 as on
disk, and any web process can take the next PATCH. At the last byte the pieces are joined into
a temporary file, checked, stored by media.storage.keep() (which hashes the exact bytes
received) and deleted. Each upload expires (MEDIA_TUS_EXPIRY_HOURS) and `purge_expired` (a
worker periodic job) deletes what expired incomplete.

Concurrency. A PATCH holds the upload with a conditional UPDATE (offset and hold as read; the
same statement on PostgreSQL and SQLite), renewed as pieces are saved, and released with the
new offset. A transaction with SELECT … FOR UPDATE would hold a database connection (and on
SQLite every writer) for as long as a slow phone takes to send its bytes; the conditional
update holds nothing between statements, and a PATCH that dies leaves a hold that runs out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from porchlight.media import custody
from porchlight.media.models import CustodyEntry, ResumableUpload
from porchlight.media.storage import evidence_storage, keep
from porchlight.media.uploads import (
    MB,
    UploadRefused,
    accept_media,
    max_image_bytes,
    max_video_bytes,
)
from porchlight.media.video import VideoUnavailable

log = logging.getLogger(__name__)

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,termination,expiration,checksum"
CHECKSUMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "md5": hashlib.md5}
OFFSET_TYPE = "application/offset+octet-stream"
# A piece is saved (and the offset moved) at least every PIECE bytes of one PATCH, so a cut
# loses at most this much and memory stays bounded (the piece is spooled to disk past 1 MB).
PIECE = 8 * MB
READ = 256 * 1024
HOLD = timedelta(seconds=120)
PURGE_LEASE = "media-tus-purge"
# Metadata keys that carry a capability: checked by authorize(), never stored.
SECRET_KEYS = {"token"}


class Refused(Exception):
    """A purpose's answer: no, with an HTTP status and a reason for the person."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status}: {reason}")
        self.status = status
        self.reason = reason


Authorize = Callable[[HttpRequest, dict[str, str]], "str | None"]
OnComplete = Callable[[ResumableUpload], None]


@dataclass(frozen=True)
class Purpose:
    name: str
    authorize: Authorize
    on_complete: OnComplete


_PURPOSES: dict[str, Purpose] = {}


def register_purpose(name: str, authorize: Authorize, on_complete: OnComplete) -> None:
    """Let uploads with metadata `purpose=<name>` in. Call from the owning AppConfig.ready()."""
    if not name or len(name) > 40:
        raise ValueError("a purpose's name is 1 to 40 characters")
    _PURPOSES[name] = Purpose(name, authorize, on_complete)


def unregister_purpose(name: str) -> None:
    """For tests that register a purpose of their own."""
    _PURPOSES.pop(name, None)


def purposes() -> dict[str, Purpose]:
    return dict(_PURPOSES)


# --- limits and settings -------------------------------------------------------------------


def max_size() -> int:
    """The largest upload accepted: the larger of the photo and video limits."""
    return max(max_image_bytes(), max_video_bytes())


def expiry() -> timedelta:
    return timedelta(hours=float(getattr(settings, "MEDIA_TUS_EXPIRY_HOURS", 24)))


# --- responses -----------------------------------------------------------------------------


def _response(status: int, reason: str = "", **headers: str) -> HttpResponse:
    response = HttpResponse(
        reason, status=status, content_type="text/plain; charset=utf-8" if reason else None
    )
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    if not reason:
        del response["Content-Type"]
    return response


def _refuse(status: int, reason: str, **headers: str) -> HttpResponse:
    return _response(status, reason, **headers)


def _expires(upload: ResumableUpload) -> dict[str, str]:
    if upload.completed_at is not None:
        return {}
    return {"Upload_Expires": http_date(upload.expires_at.timestamp())}


def _options() -> HttpResponse:
    return _response(
        204,
        Tus_Version=TUS_VERSION,
        Tus_Extension=EXTENSIONS,
        Tus_Max_Size=str(max_size()),
        Tus_Checksum_Algorithm=",".join(CHECKSUMS),
    )


def _version_ok(request: HttpRequest) -> bool:
    return request.headers.get("Tus-Resumable", "") == TUS_VERSION


def _method(request: HttpRequest) -> str:
    # The spec's escape hatch for clients that can only send GET and POST.
    override = request.headers.get("X-HTTP-Method-Override", "").upper()
    if request.method == "POST" and override in ("PATCH", "DELETE", "HEAD"):
        return override
    return (request.method or "").upper()


def parse_metadata(header: str) -> dict[str, str]:
    """Upload-Metadata: `key base64,key base64,key` → {key: value}. ValueError when malformed."""
    result: dict[str, str] = {}
    if not header.strip():
        return result
    for pair in header.split(","):
        parts = pair.strip().split(" ")
        if not parts[0] or len(parts) > 2 or not parts[0].isascii():
            raise ValueError("malformed pair")
        key = parts[0]
        if key in result:
            raise ValueError("duplicate key")
        try:
            value = base64.b64decode(parts[1], validate=True).decode() if len(parts) == 2 else ""
        except (binascii.Error, UnicodeDecodeError):
            raise ValueError("bad value") from None
        result[key] = value
    return result


def encode_metadata(metadata: dict[str, str]) -> str:
    return ",".join(
        f"{key} {base64.b64encode(str(value).encode()).decode()}" if value else key
        for key, value in metadata.items()
    )


def _int_header(request: HttpRequest, name: str) -> int | None:
    raw = request.headers.get(name, "")
    if not raw.isdigit() or len(raw) > 18:
        return None
    return int(raw)


# --- the views -----------------------------------------------------------------------------


@csrf_exempt  # see the module's docstring: the purpose's capability and the URL authorize
def create_view(request: HttpRequest) -> HttpResponse:
    if request.method == "OPTIONS":
        return _options()
    if request.method != "POST" or _method(request) != "POST":
        return _refuse(405, _("Use POST to create an upload."), Allow="POST, OPTIONS")
    if not _version_ok(request):
        return _refuse(412, _("This server speaks tus 1.0.0."), Tus_Version=TUS_VERSION)
    if request.headers.get("Upload-Defer-Length"):
        return _refuse(400, _("The upload's length must be given when it is created."))
    length = _int_header(request, "Upload-Length")
    if length is None:
        return _refuse(400, _("Upload-Length is missing or not a number."))
    if length == 0:
        return _refuse(400, _("The file is empty."))
    if length > max_size():
        return _refuse(
            413,
            _("The file is too large: the limit is %(limit)s MB.") % {"limit": max_size() // MB},
            Tus_Max_Size=str(max_size()),
        )
    try:
        metadata = parse_metadata(request.headers.get("Upload-Metadata", ""))
    except ValueError:
        return _refuse(400, _("Upload-Metadata is malformed."))
    purpose = _PURPOSES.get(metadata.get("purpose", ""))
    if purpose is None:
        return _refuse(400, _("The upload's purpose is missing or unknown."))
    try:
        ref = purpose.authorize(request, metadata)
    except Refused as refused:
        return _refuse(refused.status, refused.reason)
    if not ref:
        return _refuse(403, _("This upload is not allowed: the link may have expired."))
    upload = ResumableUpload.objects.create(
        purpose=purpose.name,
        ref=ref[:200],
        length=length,
        filename=metadata.get("filename", "")[:200],
        content_type=metadata.get("filetype", "")[:100],
        # Never the capability itself: the row outlives the link it was checked against.
        metadata={k: v for k, v in metadata.items() if k not in SECRET_KEYS},
        expires_at=timezone.now() + expiry(),
    )
    location = request.build_absolute_uri(reverse("tus-upload", args=[upload.pk]))
    return _response(201, Location=location, **_expires(upload))


@csrf_exempt  # see the module's docstring: the upload's unguessable URL is the capability
def upload_view(request: HttpRequest, upload_id: Any) -> HttpResponse:
    if request.method == "OPTIONS":
        return _options()
    method = _method(request)
    if method not in ("HEAD", "PATCH", "DELETE"):
        return _refuse(
            405, _("Use HEAD, PATCH or DELETE here."), Allow="HEAD, PATCH, DELETE, OPTIONS"
        )
    if not _version_ok(request):
        return _refuse(412, _("This server speaks tus 1.0.0."), Tus_Version=TUS_VERSION)
    upload = ResumableUpload.objects.filter(pk=upload_id).first()
    if upload is None:
        return _refuse(404, _("There is no such upload."))
    if method == "DELETE":
        return _terminate(upload)
    if upload.completed_at is None and upload.expires_at <= timezone.now():
        return _refuse(410, _("This upload has expired. Start it again."))
    if method == "HEAD":
        head = _response(
            200,
            Upload_Offset=str(upload.offset),
            Upload_Length=str(upload.length),
            **_expires(upload),
        )
        if upload.metadata:
            # As the client gave it (the spec's MUST), less the capability, which is not kept.
            head["Upload-Metadata"] = encode_metadata(upload.metadata)
        return head
    return _patch(request, upload)


def _terminate(upload: ResumableUpload) -> HttpResponse:
    if upload.completed_at is not None:
        # The file is stored and handed to its purpose: withdrawing it is that purpose's
        # own step (with its custody entry), not a tus DELETE.
        return _refuse(409, _("This upload is complete and can no longer be cancelled here."))
    taken = _hold(upload, upload.offset)
    if taken is None:
        return _refuse(409, _("This upload is receiving data; try again in a moment."))
    _discard(upload)
    return _response(204)


# --- PATCH ---------------------------------------------------------------------------------


def _hold(upload: ResumableUpload, offset: int) -> str | None:
    """Take the upload for one PATCH if nobody holds it and it is at `offset`."""
    token = secrets.token_hex(16)
    now = timezone.now()
    taken = (
        ResumableUpload.objects.filter(pk=upload.pk, offset=offset, completed_at__isnull=True)
        .filter(Q(busy_until__isnull=True) | Q(busy_until__lt=now))
        .update(busy_token=token, busy_until=now + HOLD)
    )
    return token if taken else None


def _renew(upload: ResumableUpload, token: str) -> bool:
    return bool(
        ResumableUpload.objects.filter(pk=upload.pk, busy_token=token).update(
            busy_until=timezone.now() + HOLD
        )
    )


def _release(upload: ResumableUpload, token: str) -> None:
    ResumableUpload.objects.filter(pk=upload.pk, busy_token=token).update(
        busy_token="", busy_until=None
    )


def piece_name(upload: ResumableUpload, offset: int) -> str:
    return f"tus/{upload.pk.hex}/{offset:012d}"


def _save_piece(upload: ResumableUpload, token: str, data: IO[bytes], size: int) -> bool:
    """Store `size` bytes at the upload's offset and move the offset past them, if we still
    hold it. False when the hold was lost (another PATCH took over after ours ran out)."""
    storage = evidence_storage()
    name = piece_name(upload, upload.offset)
    if storage.exists(name):
        storage.delete(name)  # left by a PATCH that died between saving and moving the offset
    data.seek(0)
    saved = storage.save(name, File(data, name=name))
    pieces = [*upload.pieces, [upload.offset, saved]]
    moved = ResumableUpload.objects.filter(
        pk=upload.pk, busy_token=token, offset=upload.offset
    ).update(offset=upload.offset + size, pieces=pieces, busy_until=timezone.now() + HOLD)
    if not moved:
        storage.delete(saved)
        return False
    upload.offset += size
    upload.pieces = pieces
    return True


def _patch(request: HttpRequest, upload: ResumableUpload) -> HttpResponse:
    # An empty PATCH (finishing an upload whose completion was refused once) has no body to
    # misread, and some clients send it without a type.
    empty = request.headers.get("Content-Length", "0") in ("", "0")
    if "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        # WSGI hands Django no body without a length: refuse rather than take nothing.
        return _refuse(411, _("Content-Length is required."))
    if request.content_type != OFFSET_TYPE and not empty:
        return _refuse(415, _("PATCH bodies must be sent as %(type)s.") % {"type": OFFSET_TYPE})
    offset = _int_header(request, "Upload-Offset")
    if offset is None:
        return _refuse(400, _("Upload-Offset is missing or not a number."))
    if offset != upload.offset:
        return _refuse(
            409,
            _("The upload is at byte %(offset)s, not %(asked)s.")
            % {"offset": upload.offset, "asked": offset},
            Upload_Offset=str(upload.offset),
        )
    if upload.completed_at is not None:
        return _response(204, Upload_Offset=str(upload.offset))
    declared = 0 if empty else _int_header(request, "Content-Length")
    if declared is None:
        return _refuse(411, _("Content-Length is required."))
    if offset + declared > upload.length:
        return _refuse(413, _("The data goes past the upload's length."))
    checksum = None
    if request.headers.get("Upload-Checksum"):
        checksum = _checksum(request.headers["Upload-Checksum"])
        if checksum is None:
            return _refuse(400, _("Upload-Checksum names an unsupported algorithm."))
    token = _hold(upload, offset)
    if token is None:
        upload.refresh_from_db()
        return _refuse(
            409,
            _("Another request is sending data to this upload."),
            Upload_Offset=str(upload.offset),
        )
    try:
        outcome = _receive(request, upload, token, declared, checksum)
    finally:
        _release(upload, token)
    if outcome is not None:
        return outcome
    if upload.offset < upload.length:
        return _response(204, Upload_Offset=str(upload.offset), **_expires(upload))
    return _complete(request, upload)


def _checksum(header: str) -> tuple[Any, bytes] | None:
    algorithm, _sep, encoded = header.strip().partition(" ")
    make = CHECKSUMS.get(algorithm.lower())
    if make is None:
        return None
    try:
        return make(), base64.b64decode(encoded, validate=True)
    except binascii.Error:
        return None


def _receive(
    request: HttpRequest,
    upload: ResumableUpload,
    token: str,
    declared: int,
    checksum: tuple[Any, bytes] | None,
) -> HttpResponse | None:
    """Read the body into pieces. None when it all arrived; else the answer to give."""
    remaining = declared
    cut = False
    beat = time.monotonic()
    # With a checksum the PATCH is all or nothing (the spec: a mismatch stores nothing), so it
    # is spooled whole before it is saved; without one, each piece is saved as it fills.
    piece_limit = declared if checksum else PIECE
    while remaining > 0 and not cut:
        with tempfile.SpooledTemporaryFile(max_size=MB) as piece:
            size = 0
            while size < piece_limit and remaining > 0:
                try:
                    data = request.read(min(READ, remaining))
                except OSError:  # the client went away (Django's UnreadablePostError)
                    data = b""
                if not data:
                    cut = True
                    break
                piece.write(data)
                if time.monotonic() - beat > HOLD.total_seconds() / 4:
                    # A slow phone may take minutes over one piece: keep the hold alive, and
                    # stop if it was lost (another PATCH took over after ours ran out).
                    if not _renew(upload, token):
                        return _refuse(409, _("Another request is sending data to this upload."))
                    beat = time.monotonic()
                if checksum:
                    checksum[0].update(data)
                size += len(data)
                remaining -= len(data)
            if checksum and not cut and checksum[0].digest() != checksum[1]:
                return _refuse(460, _("The data does not match its checksum."))
            if checksum and cut:
                break  # an incomplete checksummed PATCH stores nothing
            if size and not _save_piece(upload, token, piece, size):
                return _refuse(409, _("Another request is sending data to this upload."))
    if cut:
        log.info("tus upload %s: body cut at offset %s", upload.pk, upload.offset)
        return _refuse(
            400,
            _("The data ended before its Content-Length; resume from the offset."),
            Upload_Offset=str(upload.offset),
        )
    return None


# --- the last byte -------------------------------------------------------------------------

_REFUSAL_STATUS = {"wrong_type": 415, "too_large": 413}


def _joined(upload: ResumableUpload) -> IO[bytes]:
    """The pieces, in order, as one temporary file of exactly the bytes received."""
    storage = evidence_storage()
    whole: IO[bytes] = tempfile.TemporaryFile(prefix="porchlight-tus-")
    expected = 0
    for start, name in upload.pieces:
        if start != expected:
            raise OSError(f"upload {upload.pk}: piece at {start}, expected {expected}")
        with storage.open(name, "rb") as part:
            for chunk in iter(lambda: part.read(MB), b""):
                whole.write(chunk)
                expected += len(chunk)
    if expected != upload.length:
        raise OSError(f"upload {upload.pk}: {expected} bytes joined, {upload.length} expected")
    whole.seek(0)
    return whole


def _complete(request: HttpRequest, upload: ResumableUpload) -> HttpResponse:
    # Hold it once more: exactly one request finishes the upload.
    token = _hold(upload, upload.length)
    if token is None:
        return _refuse(409, _("Another request is finishing this upload."))
    try:
        purpose = _PURPOSES.get(upload.purpose)
        if purpose is None:
            return _refuse(410, _("Uploads for this purpose are no longer taken."))
        with _joined(upload) as whole:
            try:
                accepted = accept_media(whole)
            except UploadRefused as refused:
                _discard(upload)
                return _refuse(_REFUSAL_STATUS.get(refused.code, 422), str(refused.message))
            except VideoUnavailable:
                # The server's fault (no ffmpeg), not the file's: keep the bytes for a retry.
                log.exception("tus upload %s: videos cannot be processed", upload.pk)
                return _refuse(503, _("Videos cannot be processed right now. Try again later."))
            try:
                with transaction.atomic():
                    media_file = keep(accepted)
                    done = ResumableUpload.objects.filter(
                        pk=upload.pk, busy_token=token, completed_at__isnull=True
                    ).update(completed_at=timezone.now(), media_file=media_file)
                    if not done:
                        raise Refused(409, _("Another request is finishing this upload."))
                    upload.refresh_from_db()
                    custody.record(
                        media_file,
                        CustodyEntry.Action.RECEIVED,
                        request=request,
                        actor=f"uploader ({upload.purpose})",
                        digest_ok=True,
                        note=f"sha256 {media_file.original_sha256}, {media_file.original_size} bytes",
                    )
                    purpose.on_complete(upload)
            except Refused as refused:
                return _refuse(refused.status, refused.reason)
    finally:
        _release(upload, token)
    _delete_pieces(upload)
    return _response(204, Upload_Offset=str(upload.offset))


# --- removal -------------------------------------------------------------------------------


def _delete_pieces(upload: ResumableUpload) -> None:
    storage = evidence_storage()
    for _start, name in upload.pieces:
        try:
            storage.delete(name)
        except OSError:
            log.warning("tus upload %s: could not delete piece %s", upload.pk, name)
    # The filesystem storage leaves the upload's empty folder behind.
    try:
        folder = storage.path(f"tus/{upload.pk.hex}")
    except NotImplementedError:
        return
    try:
        os.rmdir(folder)
    except OSError:
        pass
    ResumableUpload.objects.filter(pk=upload.pk).update(pieces=[])


def _discard(upload: ResumableUpload) -> None:
    """An incomplete (or refused) upload: its bytes and its row."""
    _delete_pieces(upload)
    ResumableUpload.objects.filter(pk=upload.pk, completed_at__isnull=True).delete()


def purge_expired(worker: str, now: datetime | None = None) -> int:
    """Delete uploads that expired incomplete (a worker periodic job, settings
    NOTIFY_PERIODIC_JOBS, under its own lease). Returns how many were deleted."""
    from porchlight.notify.worker import take_lease

    now = now or timezone.now()
    expired = ResumableUpload.objects.filter(completed_at__isnull=True, expires_at__lte=now)
    if not expired.exists():
        return 0  # the common case, without touching the lease
    if not take_lease(PURGE_LEASE, worker, timedelta(minutes=5), now):
        return 0
    count = 0
    for upload in expired.filter(Q(busy_until__isnull=True) | Q(busy_until__lt=now))[:500]:
        _discard(upload)
        count += 1
    return count
