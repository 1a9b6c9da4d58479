"""Two PATCHes on one upload never write at once: the second is refused with 409 while the
first holds the upload, a PATCH that lost its hold stores nothing, and a dead PATCH's hold runs
out so the client can go on."""

from __future__ import annotations

import socket
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.test import Client
from django.utils import timezone

from porchlight.media import tus
from porchlight.media.models import ResumableUpload
from porchlight.media.storage import evidence_storage
from standins.media import TUS_PURPOSE, TUS_TOKEN, TusProbe, tus_metadata

V = {"Tus-Resumable": "1.0.0"}
OCTETS = "application/offset+octet-stream"
LENGTH = 4000


def create(base: str = "") -> str:
    headers = {
        **V,
        "Upload-Length": str(LENGTH),
        "Upload-Metadata": tus_metadata(purpose=TUS_PURPOSE, token=TUS_TOKEN),
    }
    if base:
        return httpx.post(f"{base}/uploads/tus/", headers=headers).headers["Location"]
    return Client().post("/uploads/tus/", headers=headers)["Location"]


def patch(url: str, offset: int, body: bytes) -> Any:
    return Client().generic(
        "PATCH", url, body, content_type=OCTETS, headers={**V, "Upload-Offset": str(offset)}
    )


def test_a_held_upload_refuses_a_second_patch(db: None, tus_purpose: TusProbe) -> None:
    url = create()
    ResumableUpload.objects.update(
        busy_token="other", busy_until=timezone.now() + timedelta(minutes=1)
    )
    response = patch(url, 0, b"b" * 100)
    assert response.status_code == 409
    assert response["Upload-Offset"] == "0"
    assert Client().delete(url, headers=V).status_code == 409
    assert ResumableUpload.objects.get().offset == 0


def test_a_dead_patch_hold_runs_out(db: None, tus_purpose: TusProbe) -> None:
    url = create()
    ResumableUpload.objects.update(
        busy_token="dead", busy_until=timezone.now() - timedelta(seconds=1)
    )
    response = patch(url, 0, b"b" * 100)
    assert response.status_code == 204 and response["Upload-Offset"] == "100"
    upload = ResumableUpload.objects.get()
    assert (upload.busy_token, upload.busy_until) == ("", None)  # released


class SlowPatch:
    """A PATCH sent by hand: headers and part of the body now, the rest later."""

    def __init__(self, url: str, offset: int, body: bytes) -> None:
        parts = urlsplit(url)
        self.body = body
        self.sock = socket.create_connection((parts.hostname, parts.port))
        head = (
            f"PATCH {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nTus-Resumable: 1.0.0\r\n"
            f"Upload-Offset: {offset}\r\nContent-Type: {OCTETS}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        self.sock.sendall(head.encode() + body[: len(body) // 2])

    def finish(self) -> int:
        self.sock.sendall(self.body[len(self.body) // 2 :])
        answer = b""
        while b"\r\n" not in answer:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            answer += chunk
        self.sock.close()
        return int(answer.split(b" ", 2)[1])


def wait_until_held() -> None:
    deadline = time.monotonic() + 20
    while not ResumableUpload.objects.exclude(busy_token="").exists():
        assert time.monotonic() < deadline, "the first PATCH never took the upload"
        time.sleep(0.02)


def test_two_patches_at_once_one_writes(live_server: Any, tus_purpose: TusProbe) -> None:
    url = create(live_server.url)
    first = SlowPatch(url, 0, b"A" * 1000)
    wait_until_held()
    second = httpx.patch(
        url, content=b"B" * 1000, headers={**V, "Upload-Offset": "0", "Content-Type": OCTETS}
    )
    assert second.status_code == 409
    assert first.finish() == 204
    upload = ResumableUpload.objects.get()
    assert upload.offset == 1000 and upload.busy_token == ""
    with evidence_storage().open(tus.piece_name(upload, 0), "rb") as f:
        assert f.read() == b"A" * 1000  # nothing of the refused PATCH


def test_a_patch_that_lost_its_hold_stores_nothing(live_server: Any, tus_purpose: TusProbe) -> None:
    url = create(live_server.url)
    slow = SlowPatch(url, 0, b"A" * 1000)
    wait_until_held()
    # Its hold ran out and another PATCH took the upload meanwhile.
    ResumableUpload.objects.update(busy_token="someone-else")
    assert slow.finish() == 409
    upload = ResumableUpload.objects.get()
    assert upload.offset == 0 and upload.pieces == []
    assert not evidence_storage().exists(tus.piece_name(upload, 0))
