"""The tus 1.0 server answers as the protocol says: create, HEAD, PATCH, offsets, termination,
expiration, limits, versions, content types, and purposes' authorization."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from porchlight.media import tus
from porchlight.media.models import ResumableUpload
from porchlight.media.storage import evidence_storage
from standins.media import TUS_PURPOSE, TUS_TOKEN, TusProbe, jpeg_with_gps, tus_metadata

V = {"Tus-Resumable": "1.0.0"}
OCTETS = "application/offset+octet-stream"


def create(client: Client, length: int, **meta: str) -> Any:
    meta = {"purpose": TUS_PURPOSE, "token": TUS_TOKEN, "filename": "a.jpg", **meta}
    return client.post(
        "/uploads/tus/",
        headers={**V, "Upload-Length": str(length), "Upload-Metadata": tus_metadata(**meta)},
    )


def patch(client: Client, url: str, offset: int, data: bytes, **headers: str) -> Any:
    return client.generic(
        "PATCH",
        url,
        data,
        content_type=headers.pop("content_type", OCTETS),
        headers={**V, "Upload-Offset": str(offset), **headers},
    )


@pytest.fixture
def client() -> Client:
    return Client()


def test_options_tells_version_extensions_and_limit(
    db: None, client: Client, tus_purpose: TusProbe
) -> None:
    response = client.options("/uploads/tus/")
    assert response.status_code == 204
    assert response["Tus-Version"] == "1.0.0"
    assert set(response["Tus-Extension"].split(",")) >= {"creation", "termination", "expiration"}
    assert int(response["Tus-Max-Size"]) == tus.max_size()
    assert "sha1" in response["Tus-Checksum-Algorithm"].split(",")
    # Same origin only: a preflight from another site is never granted.
    preflight = client.options(
        "/uploads/tus/",
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"},
    )
    assert not any(h.lower().startswith("access-control-allow") for h in preflight.headers)


def test_create_head_patch_in_two_pieces(db: None, client: Client, tus_purpose: TusProbe) -> None:
    data = jpeg_with_gps()
    created = create(client, len(data), case="24-1001")
    assert created.status_code == 201
    assert created["Tus-Resumable"] == "1.0.0"
    assert "Upload-Expires" in created
    url = created["Location"]
    assert url.startswith("http://testserver/uploads/tus/")
    upload = ResumableUpload.objects.get()
    assert (upload.purpose, upload.ref, upload.length, upload.filename) == (
        TUS_PURPOSE,
        "ref-24-1001",
        len(data),
        "a.jpg",
    )
    # The capability is checked, never stored.
    assert "token" not in upload.metadata and TUS_TOKEN not in str(upload.metadata)

    head = client.head(url, headers=V)
    assert head.status_code == 200
    assert (head["Upload-Offset"], head["Upload-Length"]) == ("0", str(len(data)))
    assert head["Cache-Control"] == "no-store"
    # The metadata as sent, less the capability.
    assert tus.parse_metadata(head["Upload-Metadata"]) == {
        "purpose": TUS_PURPOSE,
        "filename": "a.jpg",
        "case": "24-1001",
    }

    half = len(data) // 2
    first = patch(client, url, 0, data[:half])
    assert first.status_code == 204
    assert first["Upload-Offset"] == str(half)
    assert client.head(url, headers=V)["Upload-Offset"] == str(half)
    assert tus_purpose.completed == []

    last = patch(client, url, half, data[half:])
    assert last.status_code == 204, last.content
    assert last["Upload-Offset"] == str(len(data))
    assert "Upload-Expires" not in last  # complete: it no longer expires
    [done] = tus_purpose.completed
    assert done.pk == upload.pk and done.media_file is not None
    assert done.media_file.original_sha256 == hashlib.sha256(data).hexdigest()
    # The pieces are gone once the file is stored.
    assert not evidence_storage().exists(tus.piece_name(upload, 0))


def test_offset_mismatch_is_409_and_changes_nothing(
    db: None, client: Client, tus_purpose: TusProbe
) -> None:
    url = create(client, 1000)["Location"]
    assert patch(client, url, 0, b"x" * 100).status_code == 204
    again = patch(client, url, 0, b"y" * 100)  # a retry of bytes already taken
    assert again.status_code == 409
    assert again["Upload-Offset"] == "100"
    ahead = patch(client, url, 300, b"z" * 100)
    assert ahead.status_code == 409
    assert ResumableUpload.objects.get().offset == 100


def test_patch_needs_its_content_type(db: None, client: Client, tus_purpose: TusProbe) -> None:
    url = create(client, 1000)["Location"]
    response = patch(client, url, 0, b"x" * 10, content_type="application/octet-stream")
    assert response.status_code == 415
    assert ResumableUpload.objects.get().offset == 0


def test_wrong_or_missing_version_is_412(db: None, client: Client, tus_purpose: TusProbe) -> None:
    url = create(client, 1000)["Location"]
    for headers in ({"Tus-Resumable": "0.2.2"}, {}):
        for response in (
            client.post("/uploads/tus/", headers={**headers, "Upload-Length": "10"}),
            client.head(url, headers=headers),
            client.generic(
                "PATCH", url, b"x", content_type=OCTETS, headers={**headers, "Upload-Offset": "0"}
            ),
            client.delete(url, headers=headers),
        ):
            assert response.status_code == 412
            assert response["Tus-Version"] == "1.0.0"
    assert ResumableUpload.objects.count() == 1


def test_too_large_is_refused_at_creation(
    db: None, client: Client, tus_purpose: TusProbe, settings: Any
) -> None:
    settings.PORCHLIGHT_MAX_VIDEO_BYTES = 5 * 1024 * 1024
    settings.PORCHLIGHT_MAX_IMAGE_BYTES = 1024 * 1024
    assert create(client, 5 * 1024 * 1024).status_code == 201
    response = create(client, 5 * 1024 * 1024 + 1)
    assert response.status_code == 413
    assert "5 MB" in response.content.decode()
    assert ResumableUpload.objects.count() == 1


def test_data_past_the_length_is_413(db: None, client: Client, tus_purpose: TusProbe) -> None:
    url = create(client, 100)["Location"]
    assert patch(client, url, 0, b"x" * 101).status_code == 413
    assert ResumableUpload.objects.get().offset == 0


def test_bad_creation_requests_are_400(db: None, client: Client, tus_purpose: TusProbe) -> None:
    def post(**headers: str) -> int:
        return client.post("/uploads/tus/", headers={**V, **headers}).status_code

    meta = tus_metadata(purpose=TUS_PURPOSE, token=TUS_TOKEN)
    assert post(**{"Upload-Metadata": meta}) == 400  # no length
    assert post(**{"Upload-Length": "-5", "Upload-Metadata": meta}) == 400
    assert post(**{"Upload-Length": "0", "Upload-Metadata": meta}) == 400
    assert post(**{"Upload-Defer-Length": "1", "Upload-Metadata": meta}) == 400
    assert post(**{"Upload-Length": "10", "Upload-Metadata": "purpose !!notbase64"}) == 400
    assert post(**{"Upload-Length": "10"}) == 400  # no purpose
    unknown = tus_metadata(purpose="nobody-registered-this", token=TUS_TOKEN)
    assert post(**{"Upload-Length": "10", "Upload-Metadata": unknown}) == 400
    assert ResumableUpload.objects.count() == 0


def test_unauthorized_purpose_is_403(db: None, client: Client, tus_purpose: TusProbe) -> None:
    response = create(client, 100, token="a-guess")
    assert response.status_code == 403
    assert response.content  # a reason
    no_token = client.post(
        "/uploads/tus/",
        headers={**V, "Upload-Length": "100", "Upload-Metadata": tus_metadata(purpose=TUS_PURPOSE)},
    )
    assert no_token.status_code == 403
    assert ResumableUpload.objects.count() == 0


def test_authorize_may_refuse_with_its_own_reason(
    db: None, client: Client, media_storage: Any
) -> None:
    def authorize(request: Any, metadata: dict[str, str]) -> str | None:
        raise tus.Refused(403, "This request for help has closed.")

    tus.register_purpose("closed", authorize, lambda upload: None)
    try:
        response = client.post(
            "/uploads/tus/",
            headers={**V, "Upload-Length": "10", "Upload-Metadata": tus_metadata(purpose="closed")},
        )
    finally:
        tus.unregister_purpose("closed")
    assert response.status_code == 403
    assert response.content.decode() == "This request for help has closed."


def test_termination_deletes_the_bytes(db: None, client: Client, tus_purpose: TusProbe) -> None:
    url = create(client, 1000)["Location"]
    assert patch(client, url, 0, b"x" * 400).status_code == 204
    upload = ResumableUpload.objects.get()
    assert evidence_storage().exists(tus.piece_name(upload, 0))
    response = client.delete(url, headers=V)
    assert response.status_code == 204
    assert not evidence_storage().exists(tus.piece_name(upload, 0))
    assert client.head(url, headers=V).status_code == 404
    assert patch(client, url, 400, b"x").status_code == 404


def test_expired_upload_is_410(db: None, client: Client, tus_purpose: TusProbe) -> None:
    url = create(client, 1000)["Location"]
    ResumableUpload.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.head(url, headers=V).status_code == 410
    assert patch(client, url, 0, b"x").status_code == 410
    assert client.delete(url, headers=V).status_code == 204  # giving up still works


def test_unknown_upload_is_404(db: None, client: Client, tus_purpose: TusProbe) -> None:
    url = "/uploads/tus/0b6b9d5e-8c71-4f4e-9a55-1a2b3c4d5e6f"
    assert client.head(url, headers=V).status_code == 404
    assert patch(client, url, 0, b"x").status_code == 404
    assert client.get("/uploads/tus/not-a-uuid").status_code == 404


def test_checksum_mismatch_stores_nothing(db: None, client: Client, tus_purpose: TusProbe) -> None:
    url = create(client, 1000)["Location"]
    body = b"a" * 300
    wrong = base64.b64encode(hashlib.sha1(b"something else").digest()).decode()
    assert patch(client, url, 0, body, **{"Upload-Checksum": f"sha1 {wrong}"}).status_code == 460
    assert ResumableUpload.objects.get().offset == 0
    right = base64.b64encode(hashlib.sha1(body).digest()).decode()
    ok = patch(client, url, 0, body, **{"Upload-Checksum": f"sha1 {right}"})
    assert ok.status_code == 204 and ok["Upload-Offset"] == "300"
    assert patch(client, url, 300, b"b", **{"Upload-Checksum": "crc99 AAAA"}).status_code == 400


def test_method_override_for_clients_without_patch(
    db: None, client: Client, tus_purpose: TusProbe
) -> None:
    url = create(client, 100)["Location"]
    response = client.post(
        url,
        b"x" * 40,
        content_type=OCTETS,
        headers={**V, "Upload-Offset": "0", "X-HTTP-Method-Override": "PATCH"},
    )
    assert response.status_code == 204 and response["Upload-Offset"] == "40"


def test_patch_is_not_blocked_by_csrf(db: None, tus_purpose: TusProbe) -> None:
    # tus clients cannot send Django's CSRF token; the capability authorizes instead.
    strict = Client(enforce_csrf_checks=True)
    url = create(strict, 100)["Location"]
    assert patch(strict, url, 0, b"x" * 10).status_code == 204
    assert strict.delete(url, headers=V).status_code == 204
