"""Posting: the location shown, pre-moderation, and photos and videos stored without metadata."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from porchlight.community.models import Post
from porchlight.community.tests.factories import make_place, make_resident
from porchlight.geo import h3index
from porchlight.media import video
from standins.media import GPS_TEXT, jpeg_with_gps, upload, video_with_gps

LAT, LON = 35.3733, -119.0187
NEW = "/n/bakersfield/posts/new/"


@pytest.fixture
def me(client: Any, agency: Any) -> Any:
    resident = make_resident(agency, "me@example.org")
    client.force_login(resident.user)
    return resident


def form(place: Any, **extra: Any) -> dict[str, Any]:
    return {
        "category": "crime",
        "title": "Package taken",
        "body": "Someone took a package from our porch around 3pm.",
        "place": place.pk,
        **extra,
    }


@pytest.mark.django_db
def test_a_new_accounts_post_waits_and_shows_an_approximate_point(client: Any, me: Any) -> None:
    place = make_place(me, LAT, LON)
    r = client.post(NEW, form(place))
    assert r.status_code == 302
    post = Post.objects.get()
    assert post.status == Post.Status.PENDING
    assert (post.lat, post.lon) == (LAT, LON)
    moved = h3index.miles_between(LAT, LON, post.shown_lat, post.shown_lon) * 1609.344
    assert 30 < moved < 130  # about a block, never the point itself
    # Only the author sees it until a moderator publishes it.
    assert client.get(r["Location"]).status_code == 200


@pytest.mark.django_db
def test_a_trusted_poster_who_asks_shows_the_exact_point_at_once(client: Any, me: Any) -> None:
    me.trusted = True
    me.save()
    place = make_place(me, LAT, LON)
    client.post(NEW, form(place, exact_location="on"))
    post = Post.objects.get()
    assert post.status == Post.Status.PUBLISHED
    assert (post.shown_lat, post.shown_lon) == (LAT, LON)


@pytest.mark.django_db
def test_a_photo_is_stored_without_exif_or_gps(client: Any, me: Any, media_storage: Path) -> None:
    place = make_place(me, LAT, LON)
    r = client.post(NEW, form(place, photos=[upload("IMG_0001.jpg", jpeg_with_gps())]))
    assert r.status_code == 302, r.content[:800]
    (item,) = Post.objects.get().media.select_related("media")
    with item.media.published.open("rb") as f:
        data = f.read()
    assert GPS_TEXT.encode() not in data and b"PhoneMaker" not in data
    with item.media.published.open("rb") as f, Image.open(f) as image:
        assert not image.getexif()
    # The original is kept byte-exact, in the evidence storage only.
    with item.media.original.open("rb") as f:
        assert f.read() == jpeg_with_gps()


@pytest.mark.django_db
def test_more_than_four_photos_are_refused_with_a_reason(
    client: Any, me: Any, media_storage: Path
) -> None:
    place = make_place(me, LAT, LON)
    photos = [upload(f"{i}.jpg", jpeg_with_gps((64, 64))) for i in range(5)]
    r = client.post(NEW, form(place, photos=photos))
    assert r.status_code == 400
    assert b"at most 4 photos" in r.content
    assert not Post.objects.exists()


@pytest.mark.django_db
def test_a_file_that_is_not_a_photo_is_refused_with_a_reason(
    client: Any, me: Any, media_storage: Path
) -> None:
    place = make_place(me, LAT, LON)
    r = client.post(NEW, form(place, photos=[upload("x.jpg", b"%PDF-1.4 not a photo")]))
    assert r.status_code == 400 and b"not a photo" in r.content


@pytest.mark.django_db
def test_a_video_is_stored_without_metadata_and_with_a_poster(
    client: Any, me: Any, media_storage: Path, tmp_path: Path
) -> None:
    place = make_place(me, LAT, LON)
    raw = video_with_gps(tmp_path, "mov")
    r = client.post(NEW, form(place, video=upload("IMG_0002.MOV", raw)))
    assert r.status_code == 302, r.content[:800]
    (item,) = Post.objects.get().media.select_related("media")
    assert item.media.kind == "video" and item.media.poster
    with item.media.published.open("rb") as f:
        published = f.read()
    assert GPS_TEXT.encode() not in published
    path = tmp_path / "published.mp4"
    path.write_bytes(published)
    info = video.probe(str(path))
    tags = {**info["format"].get("tags", {})}
    for stream in info["streams"]:
        tags.update(stream.get("tags", {}))
    assert not any(GPS_TEXT in str(v) or "location" in k.lower() for k, v in tags.items())
    assert subprocess.run(["ffprobe", "-v", "error", str(path)], check=False).returncode == 0


@pytest.mark.django_db
def test_an_address_the_table_lacks_is_a_form_error_not_a_500(client: Any, me: Any) -> None:
    r = client.post(NEW, {**form(make_place(me, LAT, LON)), "place": "", "address": "1 Nowhere Rd"})
    assert r.status_code == 400 and b"could not find that address" in r.content


@pytest.mark.django_db
def test_the_author_edits_and_deletes_their_post_and_nobody_else_can(
    client: Any, agency: Any, me: Any
) -> None:
    place = make_place(me, LAT, LON)
    client.post(NEW, form(place))
    post = Post.objects.get()
    r = client.post(
        f"/n/bakersfield/posts/{post.pk}/edit/", form(place, title="Package taken (update)")
    )
    assert r.status_code == 302
    post.refresh_from_db()
    assert post.title == "Package taken (update)" and post.edited is not None
    other = make_resident(agency, "bo@example.org")
    client.force_login(other.user)
    assert client.post(f"/n/bakersfield/posts/{post.pk}/delete/").status_code == 404
    client.force_login(me.user)
    assert client.post(f"/n/bakersfield/posts/{post.pk}/delete/").status_code == 302
    post.refresh_from_db()
    assert post.deleted is not None
    assert client.get(f"/n/bakersfield/posts/{post.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_heic_from_an_iphone_posts_as_a_jpeg_without_gps(
    client: Any, me: Any, media_storage: Path
) -> None:
    import io

    import pillow_heif

    pillow_heif.register_heif_opener()
    source = Image.open(io.BytesIO(jpeg_with_gps((320, 240))))
    out = io.BytesIO()
    source.save(out, format="HEIF", exif=source.info["exif"])
    place = make_place(me, LAT, LON)
    photos = [
        upload("IMG_1234.HEIC", out.getvalue(), "image/heic"),
        upload("b.jpg", jpeg_with_gps()),
    ]
    assert client.post(NEW, form(place, photos=photos)).status_code == 302
    first, second = Post.objects.get().media.select_related("media")
    assert first.media.original_content_type == "image/heic"
    assert first.media.content_type == "image/jpeg"
    for item in (first, second):
        with item.media.published.open("rb") as f, Image.open(f) as image:
            assert not image.getexif()
