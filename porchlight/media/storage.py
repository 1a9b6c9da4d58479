"""Where media lives: Django's storages API, so the filesystem and S3 are one setting apart.

Two storage aliases (settings.STORAGES):
  "default"   published copies and posters: what pages show. Filesystem under MEDIA_ROOT by
              default; an S3 bucket in production (docs/operators.md).
  "evidence"  originals, byte-exact, never served by the app: a separate directory (or a
              private bucket, ideally with object lock) so a mistake on the public side can
              never expose an original with its GPS.

`keep(accepted)` stores an accepted upload and returns its saved MediaFile.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from datetime import datetime
from typing import IO, Any

from django.core.files.base import File
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.utils import timezone

from porchlight.media.uploads import Accepted


class AliasStorage(Storage):
    """A storage that looks up settings.STORAGES[alias] at each call rather than once at
    import, so a FileField follows the settings (a test's tmp directory, a changed bucket)."""

    def __init__(self, alias: str) -> None:
        self.alias = alias

    @property
    def target(self) -> Storage:
        return storages[self.alias]

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        return ("porchlight.media.storage.AliasStorage", (self.alias,), {})

    def open(self, name: str, mode: str = "rb") -> File[Any]:
        return self.target.open(name, mode)

    def save(self, name: str | None, content: IO[Any], max_length: int | None = None) -> str:
        return self.target.save(name, content, max_length=max_length)

    def generate_filename(self, filename: str | os.PathLike[str]) -> str:
        return self.target.generate_filename(filename)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return self.target.get_available_name(name, max_length=max_length)

    def path(self, name: str) -> str:
        return self.target.path(name)

    def delete(self, name: str) -> None:
        self.target.delete(name)

    def exists(self, name: str) -> bool:
        return self.target.exists(name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return self.target.listdir(path)

    def size(self, name: str) -> int:
        return self.target.size(name)

    def url(self, name: str | None) -> str:
        return self.target.url(name)

    def get_accessed_time(self, name: str) -> datetime:
        return self.target.get_accessed_time(name)

    def get_created_time(self, name: str) -> datetime:
        return self.target.get_created_time(name)

    def get_modified_time(self, name: str) -> datetime:
        return self.target.get_modified_time(name)


PUBLIC = AliasStorage("default")
EVIDENCE = AliasStorage("evidence")


def public_storage() -> Storage:
    return PUBLIC


def evidence_storage() -> Storage:
    return EVIDENCE


def _name(folder: str, ext: str) -> str:
    # Never the uploader's file name: it could be a path, a script name, or personal data.
    day = timezone.now()
    return f"{folder}/{day:%Y/%m}/{uuid.uuid4().hex}.{ext}"


def sha256_of(storage: Storage, name: str) -> str:
    h = hashlib.sha256()
    with storage.open(name, "rb") as f:
        for chunk in iter(lambda: f.read(1024 * 1024), b""):
            h.update(chunk)
    return h.hexdigest()


def keep(accepted: Accepted) -> Any:
    """Store the original (byte-exact, checked against the digest taken at receipt), the
    published copy and the poster, and return the saved MediaFile.

    Files are written before the row: if the caller's transaction rolls back afterwards, the
    files stay behind unreferenced (harmless, never served as anything's media), never the
    other way round (a row whose file is missing)."""
    from porchlight.media.models import MediaFile

    accepted.original.seek(0)
    original = EVIDENCE.save(_name("originals", accepted.original_extension), accepted.original)
    if sha256_of(EVIDENCE, original) != accepted.sha256:
        # The storage altered the bytes (a proxy that "optimizes" images, a truncated write):
        # an original that no longer matches its digest is worthless as evidence.
        EVIDENCE.delete(original)
        raise OSError(f"stored original does not match its SHA-256 ({original})")
    accepted.published.seek(0)
    published = PUBLIC.save(_name("published", accepted.extension), accepted.published)
    poster = ""
    if accepted.poster is not None:
        accepted.poster.seek(0)
        poster = PUBLIC.save(_name("posters", "jpg"), accepted.poster)
    with transaction.atomic():
        return MediaFile.objects.create(
            kind=accepted.kind,
            original=original,
            original_sha256=accepted.sha256,
            original_size=accepted.size,
            original_content_type=accepted.original_content_type,
            published=published,
            content_type=accepted.content_type,
            width=accepted.width,
            height=accepted.height,
            duration=accepted.duration,
            poster=poster,
        )
