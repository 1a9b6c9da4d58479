"""What residents share, and what happens to it: share, withdraw, take into evidence,
download, and deletion on schedule.

Each file's chain of custody is media's (media/custody.py): "received" when it is stored (with
the digest taken at receipt), "downloaded" at every staff download (download_response hashes the
original again and refuses one that no longer matches), "taken into evidence", "withdrawn", and
"deleted" (delete_original). Residents appear there by user id, never their email.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone

from porchlight.assist.models import CONSENT_VERSION, AssistanceRequest, Share, ShareFile
from porchlight.audit.log import record
from porchlight.community.models import Resident
from porchlight.media import custody, storage
from porchlight.media.models import CustodyEntry, MediaFile
from porchlight.media.uploads import Accepted

Action = CustodyEntry.Action
MAX_FILES = 10


class Refused(ValueError):
    """The share cannot be taken or changed now; the message says why."""


def custody_of(media_file: MediaFile) -> list[CustodyEntry]:
    return list(media_file.custody.order_by("at", "pk"))


def share(
    item: AssistanceRequest,
    resident: Resident,
    files: Iterable[Accepted],
    *,
    uploaded: Iterable[MediaFile] = (),
    note: str = "",
    consent_contact: bool = False,
    phone: str = "",
    request: HttpRequest | None = None,
) -> Share:
    """Store the files and the share. `files`: plain uploads, stored here (storage.keep checks
    the stored original against the digest taken at receipt); `uploaded`: resumable uploads,
    stored (and their receipt recorded) by media/tus.py already."""
    if not item.open_for_shares:
        raise Refused("this request is not taking shares")
    if resident.agency_id != item.agency_id:
        raise Refused("not a resident of this agency")
    files, uploaded = list(files), list(uploaded)
    if not files and not uploaded:
        raise Refused("choose at least one file")
    if len(files) + len(uploaded) > MAX_FILES:
        raise Refused(f"share at most {MAX_FILES} files at once")
    stored = [storage.keep(f) for f in files]
    with transaction.atomic():
        made = Share.objects.create(
            request=item, resident=resident, note=note.strip(), consent_contact=consent_contact,
            contact_name=(resident.user.get_full_name() or resident.display_name)
            if consent_contact else "",
            contact_email=resident.user.email if consent_contact else "",
            contact_phone=phone.strip() if consent_contact else "",
            consent_version=CONSENT_VERSION,
        )  # fmt: skip
        ShareFile.objects.bulk_create(
            [ShareFile(share=made, media_file=m) for m in [*stored, *uploaded]]
        )
        AssistanceRequest.objects.filter(pk=item.pk).update(shares_received=item.shares.count())
        for media_file in stored:
            custody.record(
                media_file, Action.RECEIVED, request=request, digest_ok=True,
                note=f"assist share {made.pk}: sha256 {media_file.original_sha256}, "
                f"{media_file.original_size} bytes",
            )  # fmt: skip
    return made


def _delete_files(made: Share, reason: str, actor: str) -> None:
    """Delete every stored byte of the share's files (media's delete_original); the rows stay,
    with their digests and custody, so the trail still names what was deleted."""
    for link in made.files.select_related("media_file"):
        custody.delete_original(link.media_file, reason=reason, actor=actor)


def _claim(made: Share, **fields: Any) -> bool:
    """Set `fields` on the share only if it is still open (not withdrawn, deleted or in
    evidence), in one conditional UPDATE: of a resident withdrawing and staff taking it into
    evidence at the same moment, exactly one wins."""
    return bool(
        Share.objects.filter(
            pk=made.pk, withdrawn_at__isnull=True, deleted_at__isnull=True,
            taken_into_evidence_at__isnull=True,
        ).update(**fields)
    )  # fmt: skip


def _custody(made: Share, action: str, **who: Any) -> None:
    """The chain-of-custody entry of each of the share's files."""
    for link in made.files.select_related("media_file"):
        custody.record(link.media_file, action, note=f"assist share {made.pk}", **who)


def withdraw(made: Share, resident: Resident, *, request: HttpRequest | None = None) -> None:
    if made.resident_id != resident.pk:
        raise Refused("not your share")
    now = timezone.now()
    with transaction.atomic():
        if not _claim(made, withdrawn_at=now, deleted_at=now):
            raise Refused("this share can no longer be withdrawn")
        made.withdrawn_at = made.deleted_at = now
        _custody(made, Action.WITHDRAWN, request=request)
        _delete_files(made, "withdrawn by the resident", actor="resident")


def take_into_evidence(made: Share, *, actor: Any, request: HttpRequest | None = None) -> None:
    now = timezone.now()
    with transaction.atomic():
        if not _claim(made, taken_into_evidence_at=now, taken_into_evidence_by=actor):
            raise Refused("this share is withdrawn, deleted or already in evidence")
        made.taken_into_evidence_at = now
        _custody(made, Action.TAKEN_INTO_EVIDENCE, request=request, user=actor)
        record("assist.share.evidence", request=request, actor=actor, target=made)


def download(request: HttpRequest, link: ShareFile) -> HttpResponseBase:
    """The original, byte-exact, checked against its digest again (media/custody.py: 409 and
    recorded when it no longer matches or is gone). The caller checked who may download."""
    return custody.download_response(request, link.media_file)


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
                _delete_files(
                    made, f"not taken into evidence, {made.request.retention_days} days "
                    "after the request ended", actor="retention",
                )  # fmt: skip
                count += 1
    return count


def forget_resident(resident: Resident) -> None:
    """The resident deletes their account (community/account.py): shares taken into evidence
    survive, detached from the account; every other share's files are deleted and its contact
    cleared. Call inside the deletion's transaction."""
    for made in Share.objects.filter(resident=resident).select_related("request"):
        if made.taken_into_evidence_at is None and made.deleted_at is None:
            _delete_files(made, "the resident deleted their account", actor="resident")
            made.deleted_at = timezone.now()
        if made.taken_into_evidence_at is None:
            made.contact_name = made.contact_email = made.contact_phone = ""
        made.resident = None
        made.save(update_fields=["deleted_at", "contact_name", "contact_email",
                                 "contact_phone", "resident"])  # fmt: skip
