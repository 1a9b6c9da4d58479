"""An evidence file's chain of custody: who received it, every access after that, and its end.

    custody.record(media_file, CustodyEntry.Action.TAKEN_INTO_EVIDENCE, request=request)
    return custody.download_response(request, media_file)     # staff downloading an original
    return custody.preview_response(request, media_file)      # staff looking at the preview
    custody.delete_original(media_file, reason="share expired")  # the retention schedule

Every read of an original goes through download_response(), which hashes the stored bytes
again and compares them with the digest taken at receipt: a file that no longer matches is
refused (and the refusal is itself recorded), since an altered original is worthless as
evidence and must not leave the building looking like one.

Addresses: an entry keeps the IP address only for staff (a department's own people reading
evidence). A resident's address is not kept: where the issue is silent, the resident's privacy
wins, and their upload is identified by its purpose's own record (a share).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from porchlight.audit import log as audit
from porchlight.media import views
from porchlight.media.models import CustodyEntry, MediaFile
from porchlight.media.storage import evidence_storage

Action = CustodyEntry.Action
CHUNK = 1024 * 1024


def _is_staff(user: Any) -> bool:
    return bool(user is not None and (user.is_staff or getattr(user, "staff", None) is not None))


def actor_label(user: Any) -> str:
    """Staff by username (the department's people); anyone else by id only, since a
    resident's username is their email."""
    if user is None:
        return "anonymous"
    if _is_staff(user):
        return str(user.get_username())
    return f"user {user.pk}"


def record(
    media_file: MediaFile,
    action: str,
    *,
    request: HttpRequest | None = None,
    user: Any = None,
    note: str = "",
    actor: str = "",
    digest_ok: bool | None = None,
) -> CustodyEntry:
    """Append one entry. The user is `user`, else the request's signed-in user, else nobody;
    `actor` overrides the label (a system component: "retention", "uploader")."""
    if action not in Action.values:
        raise ValueError(f"unknown custody action {action!r}")
    if user is None and request is not None:
        who = getattr(request, "user", None)
        if who is not None and who.is_authenticated:
            user = who
    ip = audit.client_ip(request) if request is not None and _is_staff(user) else None
    return CustodyEntry.objects.create(
        media_file=media_file,
        action=action,
        user=user,
        actor=(actor or actor_label(user))[:150],
        ip=ip,
        digest_ok=digest_ok,
        note=note[:500],
    )


def _download_name(media_file: MediaFile) -> str:
    name = media_file.original.name or ""
    ext = name.rsplit(".", 1)[-1] if "." in name else "bin"
    return f"evidence-{media_file.original_sha256[:16]}.{ext}"


def download_response(request: HttpRequest, media_file: MediaFile) -> HttpResponseBase:
    """The original, byte-exact, as an attachment, after checking it against its digest.

    Records "downloaded" with digest_ok (and an audit entry) whatever the outcome. A missing
    or altered original answers 409 with the reason. The caller checks who may download."""
    storage = evidence_storage()
    name = media_file.original.name or ""
    handle: Any = None
    actual = ""
    if name and storage.exists(name):
        # One handle for hashing and sending: what is sent is what was checked.
        handle = storage.open(name, "rb")
        h = hashlib.sha256()
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            h.update(chunk)
        actual = h.hexdigest()
        handle.seek(0)
    ok = bool(actual) and actual == media_file.original_sha256
    if not name or handle is None:
        reason = _("The original file is no longer stored.")
    elif not ok:
        reason = _(
            "The stored original no longer matches the SHA-256 digest taken when it was "
            "received. It has not been sent; report this to your administrator."
        )
    else:
        reason = ""
    with transaction.atomic():
        record(
            media_file,
            Action.DOWNLOADED,
            request=request,
            digest_ok=ok if handle is not None else False,
            note="" if ok else ("missing" if handle is None else f"digest mismatch: {actual}"),
        )
        audit.record(
            "media.download" if ok else "media.download_refused",
            request=request,
            target=media_file,
            changes={"sha256": media_file.original_sha256, "digest_ok": ok},
        )
    if not ok:
        if handle is not None:
            handle.close()
        refused = HttpResponse(reason, status=409, content_type="text/plain; charset=utf-8")
        refused["Cache-Control"] = "no-store"
        return refused
    response = FileResponse(handle, as_attachment=True, filename=_download_name(media_file))
    response["Content-Type"] = media_file.original_content_type or "application/octet-stream"
    response["Content-Length"] = str(media_file.original_size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    # RFC 9530: the client can check what it received against the digest taken at receipt.
    response["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(actual)).decode()}:"
    return response


def preview_response(
    request: HttpRequest, media_file: MediaFile, *, poster: bool = False
) -> HttpResponseBase:
    """The published copy (or the video's poster) for staff eyes, recorded as "viewed".

    For a file under custody, which the public /media/ URL must not serve without a trace:
    the caller's view checks who may look and serves this instead. Byte ranges are answered
    (video players seek with them); a view is recorded once, at its first range (none, or one
    from byte 0), not once per range."""
    fieldfile = media_file.poster if poster else media_file.published
    name = fieldfile.name or ""
    storage = fieldfile.storage
    if not name or not storage.exists(name):
        raise Http404
    content_type = "image/jpeg" if poster else media_file.content_type
    asked = request.headers.get("Range", "").replace(" ", "")
    if not asked or asked.startswith("bytes=0-"):
        record(media_file, Action.VIEWED, request=request, note="poster" if poster else "")
    return views.ranged(request, storage, name, content_type, cache="private, no-store")


def delete_original(
    media_file: MediaFile, *, reason: str, actor: str = "retention"
) -> CustodyEntry:
    """Remove every stored byte of the file (the original, the published copy, the poster)
    and record "deleted". The row stays, with its digest and its custody history."""
    for field, storage in (
        ("original", evidence_storage()),
        ("published", None),
        ("poster", None),
    ):
        fieldfile = getattr(media_file, field)
        if fieldfile.name:
            (storage or fieldfile.storage).delete(fieldfile.name)
            setattr(media_file, field, "")
    with transaction.atomic():
        media_file.save(update_fields=["original", "published", "poster"])
        return record(media_file, Action.DELETED, actor=actor, note=reason)
