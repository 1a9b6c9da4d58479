"""Uploads that expire unfinished are deleted, bytes and row, by the worker's periodic job
under its own lease; finished uploads and unexpired ones stay."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.test import Client
from django.utils import timezone
from django.utils.module_loading import import_string

from porchlight.media import tus
from porchlight.media.models import ResumableUpload
from porchlight.media.storage import evidence_storage
from standins.media import TUS_PURPOSE, TUS_TOKEN, TusProbe, jpeg_with_gps, tus_metadata

V = {"Tus-Resumable": "1.0.0"}
OCTETS = "application/offset+octet-stream"


def start(client: Client, data: bytes, sent: int) -> ResumableUpload:
    url = client.post(
        "/uploads/tus/",
        headers={
            **V,
            "Upload-Length": str(len(data)),
            "Upload-Metadata": tus_metadata(purpose=TUS_PURPOSE, token=TUS_TOKEN),
        },
    )["Location"]
    if sent:
        response = client.generic(
            "PATCH", url, data[:sent], content_type=OCTETS, headers={**V, "Upload-Offset": "0"}
        )
        assert response.status_code == 204
    return ResumableUpload.objects.get(pk=url.rsplit("/", 1)[1])


def test_expired_unfinished_uploads_are_purged(db: None, tus_purpose: TusProbe) -> None:
    client = Client()
    data = jpeg_with_gps()
    stale = start(client, data, 500)
    fresh = start(client, data, 500)
    finished = start(client, data, len(data))
    assert finished.completed_at is not None
    past = timezone.now() - timedelta(hours=1)
    ResumableUpload.objects.filter(pk__in=[stale.pk, finished.pk]).update(expires_at=past)
    piece = tus.piece_name(stale, 0)
    assert evidence_storage().exists(piece)

    assert tus.purge_expired("worker-1") == 1
    assert not ResumableUpload.objects.filter(pk=stale.pk).exists()
    assert not evidence_storage().exists(piece)
    assert ResumableUpload.objects.filter(pk=fresh.pk).exists()
    assert evidence_storage().exists(tus.piece_name(fresh, 0))
    assert ResumableUpload.objects.get(pk=finished.pk).media_file is not None
    assert tus.purge_expired("worker-1") == 0


def test_one_worker_purges_at_a_time(db: None, tus_purpose: TusProbe) -> None:
    client = Client()
    data = jpeg_with_gps()
    first = start(client, data, 100)
    ResumableUpload.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert tus.purge_expired("worker-1") == 1
    second = start(client, data, 100)
    ResumableUpload.objects.filter(pk=second.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    # worker-1 holds the lease for a few minutes: worker-2 leaves the work to it.
    assert tus.purge_expired("worker-2") == 0
    assert ResumableUpload.objects.filter(pk=second.pk).exists()
    assert tus.purge_expired("worker-1") == 1
    assert not ResumableUpload.objects.filter(pk__in=[first.pk, second.pk]).exists()


def test_an_upload_receiving_data_is_left_alone(db: None, tus_purpose: TusProbe) -> None:
    upload = start(Client(), jpeg_with_gps(), 100)
    now = timezone.now()
    ResumableUpload.objects.update(
        expires_at=now - timedelta(seconds=1), busy_token="x", busy_until=now + timedelta(minutes=1)
    )
    assert tus.purge_expired("worker-1", now) == 0
    assert ResumableUpload.objects.filter(pk=upload.pk).exists()


def test_the_worker_runs_the_purge(db: None) -> None:
    assert "porchlight.media.tus.purge_expired" in settings.NOTIFY_PERIODIC_JOBS
    job: Any = import_string("porchlight.media.tus.purge_expired")
    assert job("worker-1", timezone.now()) == 0
