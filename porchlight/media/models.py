"""A stored photo or video. Owner-agnostic: a post, a report or a case links to it by FK."""

from __future__ import annotations

from django.db import models
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
