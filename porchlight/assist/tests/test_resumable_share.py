"""A share through resumable uploads (tus, media/tus.py): the resident uploads in pieces, then
posts the form with the upload's id; the digest is of the bytes sent; only the uploader's own,
completed uploads for this request can be attached, once."""

from __future__ import annotations

import hashlib

from django.test import Client

from porchlight.assist import flow
from porchlight.assist.models import Share
from porchlight.media.models import ResumableUpload
from standins.media import jpeg_with_gps, tus_metadata

from .conftest import LAT, LON
from .test_sharing import resident_client

V = {"Tus-Resumable": "1.0.0"}
OCTETS = "application/offset+octet-stream"


def tus_upload(client: Client, item, data: bytes, pieces: int = 2) -> tuple[int, str]:
    created = client.post(
        "/uploads/tus/",
        headers={**V, "Upload-Length": str(len(data)),
                 "Upload-Metadata": tus_metadata(purpose="assist-share", request=str(item.pk))},
    )  # fmt: skip
    if created.status_code != 201:
        return created.status_code, ""
    url = created["Location"]
    step = -(-len(data) // pieces)
    status = 0
    for start in range(0, len(data), step):
        status = client.generic(
            "PATCH", url, data[start : start + step], content_type=OCTETS,
            headers={**V, "Upload-Offset": str(start)},
        ).status_code  # fmt: skip
    return status, url.rstrip("/").rsplit("/", 1)[-1]


def test_a_resumable_upload_becomes_a_share(sent, neighbor, media_storage):
    place = neighbor(LAT, LON)
    item = sent()
    client = resident_client(place.resident)
    data = jpeg_with_gps((1000, 800))
    status, upload_id = tus_upload(client, item, data, pieces=3)
    assert status == 204
    response = client.post(f"/n/{item.agency.slug}/assist/{item.pk}/",
                           {"uploads": upload_id, "agree": "on"})  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:1500]
    made = Share.objects.get()
    media_file = made.files.get().media_file
    assert media_file.original_sha256 == hashlib.sha256(data).hexdigest()
    assert [e.action for e in media_file.custody.all()] == ["received"]
    # The same upload cannot go into a second share.
    again = client.post(f"/n/{item.agency.slug}/assist/{item.pk}/",
                        {"uploads": upload_id, "agree": "on"})  # fmt: skip
    assert again.status_code == 400 and Share.objects.count() == 1


def test_someone_elses_upload_cannot_be_attached(sent, neighbor, media_storage):
    owner, other = neighbor(LAT, LON), neighbor(LAT, LON)
    item = sent()
    _, upload_id = tus_upload(resident_client(owner.resident), item, jpeg_with_gps())
    response = resident_client(other.resident).post(
        f"/n/{item.agency.slug}/assist/{item.pk}/", {"uploads": upload_id, "agree": "on"}
    )
    assert response.status_code == 400 and not Share.objects.exists()
    bad = resident_client(other.resident).post(
        f"/n/{item.agency.slug}/assist/{item.pk}/", {"uploads": "not-a-uuid", "agree": "on"}
    )
    assert bad.status_code == 400


def test_uploads_need_a_resident_and_an_open_request(sent, neighbor, supervisor, media_storage):
    place = neighbor(LAT, LON)
    item = sent()
    anonymous_status, _ = tus_upload(Client(), item, jpeg_with_gps())
    assert anonymous_status == 403
    flow.close(item, actor=supervisor)
    closed_status, _ = tus_upload(resident_client(place.resident), item, jpeg_with_gps())
    assert closed_status == 403
    assert not ResumableUpload.objects.exists()


def test_the_page_offers_the_resumable_field_and_a_plain_one_without_javascript(
    sent, neighbor, media_storage
):
    place = neighbor(LAT, LON)
    item = sent()
    page = resident_client(place.resident).get(f"/n/{item.agency.slug}/assist/{item.pk}/")
    html = page.content.decode()
    assert 'data-purpose="assist-share"' in html
    assert f"&quot;request&quot;: &quot;{item.pk}&quot;" in html  # the upload's metadata
    # Without a script the resumable field is hidden (nojs.css) and the plain input posts.
    assert '<noscript><p class="field"><label for="id_files">' in html
    assert "assist/nojs.css" in html
    assert html.count('name="uploads"') == 1
