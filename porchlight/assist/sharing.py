"""What residents share, and what happens to it: share, withdraw, take into evidence,
download, and deletion on schedule.

Each file's custody is the audit log's entries about its MediaFile (target media.mediafile):
"received" when it is stored (with the digest taken at receipt), "downloaded" at every staff
download (with the digest computed again then, and whether it matched), "taken into evidence",
"withdrawn" and "deleted". `custody(media_file)` reads them back, oldest first.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone

from porchlight.assist.models import CONSENT_VERSION, AssistanceRequest, Share, ShareFile
from porchlight.audit.log import record
from porchlight.audit.models import AuditEntry
from porchlight.community.models import Resident
from porchlight.media import storage
from porchlight.media.models import MediaFile
from porchlight.media.uploads import Accepted

MAX_FILES = 10
# Residents act in the custody log under this label, never their account name: the log is
# read by staff, who learn who shared only when the resident agreed to be contacted.
RESIDENT = "resident"


class Refused(ValueError):
    """The share cannot be taken or changed now; the message says why."""


def custody_record(
    media_file: MediaFile, action: str, *, request: HttpRequest | None = None,
    actor: Any = None, actor_label: str = "", agency: Any = None, note: str = "",
    **changes: Any,
) -> None:  # fmt: skip
    record(
        f"assist.file.{action}", request=request, actor=actor, actor_label=actor_label,
        agency=agency, target=media_file,
        changes={"sha256": media_file.original_sha256, **({"note": note} if note else {}),
                 **changes},
    )  # fmt: skip


def custody(media_file: MediaFile) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            target_type=MediaFile._meta.label_lower, target_id=str(media_file.pk)
        ).order_by("at", "id")
    )


def share(
    item: AssistanceRequest,
    resident: Resident,
    files: Iterable[Accepted | MediaFile],
    *,
    note: str = "",
    consent_contact: bool = False,
    phone: str = "",
    request: HttpRequest | None = None,
) -> Share:
    """Store the files and the share. Accepted uploads are stored here (storage.keep checks the
    stored original against the digest taken at receipt); MediaFiles come stored already."""
    if not item.open_for_shares:
        raise Refused("this request is not taking shares")
    if resident.agency_id != item.agency_id:
        raise Refused("not a resident of this agency")
    files = list(files)
    if not files:
        raise Refused("choose at least one file")
    if len(files) > MAX_FILES:
        raise Refused(f"share at most {MAX_FILES} files at once")
    stored = [f if isinstance(f, MediaFile) else storage.keep(f) for f in files]
    with transaction.atomic():
        made = Share.objects.create(
            request=item, resident=resident, note=note.strip(), consent_contact=consent_contact,
            contact_name=(resident.user.get_full_name() or resident.display_name)
            if consent_contact else "",
            contact_email=resident.user.email if consent_contact else "",
            contact_phone=phone.strip() if consent_contact else "",
            consent_version=CONSENT_VERSION,
        )  # fmt: skip
        ShareFile.objects.bulk_create([ShareFile(share=made, media_file=m) for m in stored])
        AssistanceRequest.objects.filter(pk=item.pk).update(shares_received=item.shares.count())
        for media_file in stored:
            custody_record(
                # No request: record() would name the signed-in resident and their address.
                media_file, "received", actor_label=RESIDENT,
                agency=item.agency, share=made.pk, size=media_file.original_size,
            )  # fmt: skip
    return made


def _delete_files(made: Share, action: str, *, actor: Any = None, actor_label: str = "",
                  request: HttpRequest | None = None) -> None:  # fmt: skip
    """Delete the originals and published copies; the MediaFile rows stay, emptied, so the
    custody trail still names what was deleted and its digest."""
    for link in made.files.select_related("media_file"):
        media_file = link.media_file
        for field, store in (("original", storage.EVIDENCE), ("published", storage.PUBLIC),
                             ("poster", storage.PUBLIC)):  # fmt: skip
            name = getattr(media_file, field).name
            if name:
                store.delete(name)
                setattr(media_file, field, "")
        media_file.save(update_fields=["original", "published", "poster"])
        custody_record(
            media_file, action, request=request, actor=actor, actor_label=actor_label,
            agency=made.request.agency, share=made.pk,
        )  # fmt: skip


def withdraw(made: Share, resident: Resident, *, request: HttpRequest | None = None) -> None:
    if made.resident_id != resident.pk:
        raise Refused("not your share")
    now = timezone.now()
    with transaction.atomic():
        taken = Share.objects.filter(
            pk=made.pk, withdrawn_at__isnull=True, deleted_at__isnull=True,
            taken_into_evidence_at__isnull=True,
        ).update(withdrawn_at=now, deleted_at=now)  # fmt: skip
        if not taken:
            raise Refused("this share can no longer be withdrawn")
        made.withdrawn_at = made.deleted_at = now
        _delete_files(made, "withdrawn", actor_label=RESIDENT)


def take_into_evidence(made: Share, *, actor: Any, request: HttpRequest | None = None) -> None:
    now = timezone.now()
    with transaction.atomic():
        taken = Share.objects.filter(
            pk=made.pk, withdrawn_at__isnull=True, deleted_at__isnull=True,
            taken_into_evidence_at__isnull=True,
        ).update(taken_into_evidence_at=now, taken_into_evidence_by=actor)  # fmt: skip
        if not taken:
            raise Refused("this share is withdrawn, deleted or already in evidence")
        made.taken_into_evidence_at = now
        for link in made.files.select_related("media_file"):
            custody_record(link.media_file, "evidence", request=request, actor=actor,
                           share=made.pk)  # fmt: skip
        record("assist.share.evidence", request=request, actor=actor, target=made)


def download(request: HttpRequest, link: ShareFile) -> HttpResponseBase:
    """The original, byte-exact, with its digest computed again now: a mismatch is refused
    (409) and recorded, since an altered original is worthless as evidence."""
    media_file = link.media_file
    name = media_file.original.name or ""
    if not name or link.share.deleted_at is not None:
        custody_record(media_file, "download_refused", request=request, reason="deleted")
        return HttpResponse("This file was deleted.", status=410, content_type="text/plain")
    digest = storage.sha256_of(storage.EVIDENCE, name)
    intact = digest == media_file.original_sha256
    custody_record(media_file, "downloaded", request=request, digest_now=digest, intact=intact)
    if not intact:
        return HttpResponse(
            "The stored original no longer matches its digest; it was not sent.",
            status=409, content_type="text/plain",
        )  # fmt: skip
    extension = name.rsplit(".", 1)[-1] if "." in name else "bin"
    response = FileResponse(
        storage.EVIDENCE.open(name, "rb"),
        as_attachment=True,
        filename=f"share-{link.share_id}-file-{link.pk}.{extension}",
        content_type=media_file.original_content_type or "application/octet-stream",
    )
    response["X-Content-SHA256"] = digest
    response["Cache-Control"] = "private, no-store"
    return response


def due_for_deletion(now: datetime) -> list[Share]:
    """Shares not in evidence whose request ended (expired, or closed early) more than its
    retention days ago. The longest retention is DEFAULT_RETENTION_DAYS, so only requests
    that ended before now minus that need a look at their own days."""
    shares = (
        Share.objects.filter(deleted_at__isnull=True, taken_into_evidence_at__isnull=True)
        .filter(Q(request__expires_at__lte=now) | Q(request__ended_at__lte=now))
        .select_related("request__agency")
    )
    return [
        s for s in shares if s.request.ends_at + timedelta(days=s.request.retention_days) <= now
    ]


def delete_due(now: datetime) -> int:
    count = 0
    for made in due_for_deletion(now):
        with transaction.atomic():
            if Share.objects.filter(pk=made.pk, deleted_at__isnull=True,
                                    taken_into_evidence_at__isnull=True).update(deleted_at=now):  # fmt: skip
                _delete_files(made, "deleted", actor_label="assist.retention")
                count += 1
    return count
