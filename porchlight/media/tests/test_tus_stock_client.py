"""A stock tus client (tuspy, which nobody here wrote) uploads a file of several MB to a live
server in chunks, is cut at 50%, and a new client resumes from the stored URL: the stored
original's digest is the SHA-256 of the file. The same after a connection dropped mid-PATCH."""

from __future__ import annotations

import hashlib
import io
import random
import socket
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from PIL import Image
from tusclient import client as tus_client
from tusclient.storage.filestorage import FileStorage

from porchlight.media.models import MediaFile, ResumableUpload
from standins.media import TUS_PURPOSE, TUS_TOKEN, TusProbe

CHUNK = 512 * 1024
META = {"purpose": TUS_PURPOSE, "token": TUS_TOKEN, "filename": "doorbell.png", "case": "24-77"}


def noisy_png(side: int = 1400) -> bytes:
    """A photo that does not compress: about 6 MB. Seeded, so the bytes are the same each run."""
    pixels = random.Random(19).randbytes(side * side * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), pixels).save(out, format="PNG", compress_level=1)
    return out.getvalue()


@pytest.fixture
def photo() -> bytes:
    data = noisy_png()
    assert len(data) > 5 * 1024 * 1024
    return data


def test_cut_at_half_then_a_new_client_resumes(
    live_server: Any, tus_purpose: TusProbe, photo: bytes, tmp_path: Path
) -> None:
    endpoint = f"{live_server.url}/uploads/tus/"
    # A file on disk, as an app has it (tuspy fingerprints a path; it closes a stream).
    path = tmp_path / "doorbell.png"
    path.write_bytes(photo)
    urls = FileStorage(str(tmp_path / "tus-urls.json"))
    first = tus_client.TusClient(endpoint).uploader(
        file_path=str(path),
        chunk_size=CHUNK,
        metadata=META,
        store_url=True,
        url_storage=urls,
    )
    half = len(photo) // 2
    first.upload(stop_at=half)  # the app is closed here: half the chunks went
    upload = ResumableUpload.objects.get()
    assert half <= upload.offset < len(photo)
    assert upload.completed_at is None and MediaFile.objects.count() == 0
    stored_url = first.url
    assert stored_url and stored_url.endswith(str(upload.pk))

    # A new client, as after the phone restarts: it finds the URL by the file's fingerprint
    # and asks the server (HEAD) where to go on, rather than starting over.
    second = tus_client.TusClient(endpoint).uploader(
        file_path=str(path),
        chunk_size=CHUNK,
        metadata=META,
        store_url=True,
        url_storage=urls,
    )
    assert second.url == stored_url
    assert second.offset == upload.offset
    second.upload()
    urls.close()

    assert ResumableUpload.objects.count() == 1  # resumed, not created again
    media = MediaFile.objects.get()
    assert media.original_sha256 == hashlib.sha256(photo).hexdigest()
    assert media.original_intact()
    with media.original.open("rb") as f:
        assert f.read() == photo
    [done] = tus_purpose.completed
    assert done.ref == "ref-24-77"


def _drop_mid_patch(url: str, body: bytes, sent: int) -> None:
    """A PATCH that announces the whole body, sends part of it and loses its connection."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port)) as sock:
        head = (
            f"PATCH {parts.path} HTTP/1.1\r\n"
            f"Host: {parts.netloc}\r\n"
            "Tus-Resumable: 1.0.0\r\n"
            "Upload-Offset: 0\r\n"
            "Content-Type: application/offset+octet-stream\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        sock.sendall(head.encode() + body[:sent])
        sock.shutdown(socket.SHUT_WR)  # the signal is gone


def test_a_dropped_connection_keeps_what_arrived_and_resumes(
    live_server: Any, tus_purpose: TusProbe, photo: bytes
) -> None:
    endpoint = f"{live_server.url}/uploads/tus/"
    creator = tus_client.TusClient(endpoint).uploader(
        file_stream=io.BytesIO(photo), chunk_size=len(photo), metadata=META
    )
    url = creator.create_url()
    sent = len(photo) // 2 + 12345
    _drop_mid_patch(url, photo, sent)

    # The server saves what arrived before answering the (gone) client.
    deadline = time.monotonic() + 30
    while ResumableUpload.objects.get().offset != sent and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ResumableUpload.objects.get().offset == sent

    resumed = tus_client.TusClient(endpoint).uploader(
        file_stream=io.BytesIO(photo), chunk_size=CHUNK, url=url
    )
    assert resumed.offset == sent
    resumed.upload()
    media = MediaFile.objects.get()
    assert media.original_sha256 == hashlib.sha256(photo).hexdigest()
    assert len(tus_purpose.completed) == 1
