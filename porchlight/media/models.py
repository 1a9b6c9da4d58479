"""A stored photo or video. Owner-agnostic: a post, a report or a case links to it by FK."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from porchlight.media.storage import evidence_storage, public_storage, sha256_of


class MediaFile(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", _("photo")
        VIDEO = "video", _("video")

    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    # The upload exactly as received (evidence): never served by the app, never altered.
    original = models.FileField(_("original"), storage=evidence_storage, max_length=200)
    original_sha256 = models.CharField(_("SHA-256 of the original"), max_length=64, db_index=True)
    original_size = models.BigIntegerField(_("size of the original (bytes)"))
    original_content_type = models.CharField(max_length=40)
    # What pages show: re-encoded (photos) or remuxed (videos), with no metadata.
    published = models.FileField(_("published copy"), storage=public_storage, max_length=200)
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    duration = models.FloatField(null=True, blank=True)  # seconds, videos
    poster = models.FileField(
        _("poster frame"), storage=public_storage, max_length=200, blank=True, default=""
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("media file")
        verbose_name_plural = _("media files")

    def __str__(self) -> str:
        return f"{self.kind} {self.original_sha256[:12]}"

    def original_intact(self) -> bool:
        """Does the stored original still hash to the digest taken at receipt?"""
        return sha256_of(evidence_storage(), self.original.name or "") == self.original_sha256


def _upload_id() -> uuid.UUID:
    # uuid4 draws 122 bits from os.urandom: the upload's URL is its capability (media/tus.py).
    return uuid.uuid4()


class ResumableUpload(models.Model):
    """One tus upload (media/tus.py): the bytes received so far, in pieces in evidence storage,
    until the last one arrives and the whole file becomes a MediaFile."""

    id = models.UUIDField(primary_key=True, default=_upload_id, editable=False)
    purpose = models.CharField(_("purpose"), max_length=40)
    # What the purpose's authorize() returned (a share link's token, say): on_complete finds
    # its own object with it.
    ref = models.CharField(_("reference"), max_length=200)
    length = models.BigIntegerField(_("length (bytes)"))
    offset = models.BigIntegerField(_("bytes received"), default=0)
    filename = models.CharField(_("file name given by the uploader"), max_length=200, blank=True)
    content_type = models.CharField(_("type given by the uploader"), max_length=100, blank=True)
    # The decoded Upload-Metadata, for on_complete (the purpose's own keys: a note, say).
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    # Offsets where each stored piece starts, in order (tus.piece_name names them).
    pieces = models.JSONField(default=list, blank=True)
    # A PATCH in progress holds the upload: its token and until when (renewed as bytes arrive),
    # so two PATCHes never write at once and a dead one's hold runs out.
    busy_token = models.CharField(max_length=32, blank=True)
    busy_until = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), db_index=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    media_file = models.ForeignKey(
        MediaFile,
        verbose_name=_("media file"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="uploads",
    )

    class Meta:
        verbose_name = _("resumable upload")
        verbose_name_plural = _("resumable uploads")

    def __str__(self) -> str:
        return f"upload {self.pk} ({self.purpose}, {self.offset}/{self.length})"

    def meta(self, key: str, default: str = "") -> str:
        """One Upload-Metadata value as the client sent it."""
        value = self.metadata.get(key, default) if isinstance(self.metadata, dict) else default
        return str(value)


class CustodyEntry(models.Model):
    """One event in an evidence file's chain of custody: received, every access after that,
    and its end. Written only through media/custody.py's record(); never edited."""

    class Action(models.TextChoices):
        RECEIVED = "received", _("received")
        VIEWED = "viewed", _("viewed")
        DOWNLOADED = "downloaded", _("downloaded")
        TAKEN_INTO_EVIDENCE = "taken_into_evidence", _("taken into evidence")
        WITHDRAWN = "withdrawn", _("withdrawn")
        DELETED = "deleted", _("deleted")

    # PROTECT: a file's history outlives any attempt to delete its row; custody.delete_original
    # removes the bytes and keeps the row.
    media_file = models.ForeignKey(
        MediaFile,
        verbose_name=_("media file"),
        on_delete=models.PROTECT,
        related_name="custody",
    )
    action = models.CharField(_("action"), max_length=24, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Who, in words that stay when the user is deleted ("sam", "user 12", "uploader").
    actor = models.CharField(_("actor"), max_length=150)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # For reads of the original: did it still hash to the digest taken at receipt?
    digest_ok = models.BooleanField(_("digest matched"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("custody entry")
        verbose_name_plural = _("custody entries")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["media_file", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} by {self.actor}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Append-only: an entry is written once. (The database does not enforce it; the code
        # and the admin never offer a way to change one.)
        if self.pk is not None and not self._state.adding:
            raise ValueError("custody entries are never changed")
        super().save(*args, **kwargs)
