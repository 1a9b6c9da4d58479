"""Resumable uploads (media/tus.py) for shares: the purpose "assist-share".

The resident's page uploads each file through tus while they fill in the form; the form then
posts the completed upload ids (the hidden `uploads` input). So:
- authorize: a signed-in resident of the request's agency, while the request takes shares; the
  reference names the request and the resident, so an id is only ever usable by the resident
  who uploaded it, on that request;
- on_complete: refuses (410) when the request stopped taking shares meanwhile;
- resolve: the form's ids → MediaFiles, each completed, of this resident and request, and not
  already in a share.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from porchlight.assist.models import AssistanceRequest, ShareFile
from porchlight.community.models import Resident
from porchlight.media import tus
from porchlight.media.models import MediaFile, ResumableUpload

PURPOSE = "assist-share"


def ref_for(item: AssistanceRequest, resident: Resident) -> str:
    return f"{item.pk}:{resident.pk}"


def _open_request(pk: Any) -> AssistanceRequest | None:
    try:
        number = int(str(pk))
    except ValueError:
        return None
    item = AssistanceRequest.objects.filter(pk=number).first()
    return item if item is not None and item.open_for_shares else None


def authorize(request: HttpRequest, metadata: dict[str, str]) -> str | None:
    user = request.user
    resident = getattr(user, "resident", None) if user.is_authenticated else None
    if resident is None:
        raise tus.Refused(403, _("Sign in as a resident to share files."))
    item = _open_request(metadata.get("request", ""))
    if item is None or item.agency_id != resident.agency_id:
        raise tus.Refused(403, _("This request no longer takes shares."))
    return ref_for(item, resident)


def on_complete(upload: ResumableUpload) -> None:
    if _open_request(upload.ref.split(":", 1)[0]) is None:
        raise tus.Refused(410, _("This request no longer takes shares."))


def register() -> None:
    tus.register_purpose(PURPOSE, authorize=authorize, on_complete=on_complete)


class NotYours(ValueError):
    pass


def resolve(raw: str, item: AssistanceRequest, resident: Resident) -> list[MediaFile]:
    """The MediaFiles of the completed uploads named in `raw` (ids, comma-separated)."""
    ids = []
    for part in raw.split(","):
        if not part.strip():
            continue
        try:
            ids.append(uuid.UUID(part.strip()))
        except ValueError:
            raise NotYours(part[:40]) from None
    if not ids:
        return []
    uploads = list(
        ResumableUpload.objects.filter(
            pk__in=ids, purpose=PURPOSE, ref=ref_for(item, resident),
            completed_at__isnull=False, media_file__isnull=False,
        ).select_related("media_file")
    )  # fmt: skip
    if len(uploads) != len(set(ids)):
        raise NotYours("an upload is not complete, or not this resident's for this request")
    files = [u.media_file for u in uploads if u.media_file is not None]
    if ShareFile.objects.filter(media_file__in=files).exists():
        raise NotYours("an upload is in a share already")
    return files
