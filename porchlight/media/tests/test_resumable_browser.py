"""The resumable upload field in a real Chromium at phone width, in English and Spanish: files go
up in chunks with a progress bar each, a cut connection is retried and resumed, a page closed
halfway picks up where it stopped when the same file is chosen again, and the completed ids land
in the hidden input. CSP stays on (no inline script) and axe checks the field."""

from __future__ import annotations

import hashlib
import io
import random
import re
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from porchlight.media.models import MediaFile, ResumableUpload
from standins.browser import PHONE, look
from standins.media import TusProbe, jpeg_with_gps

ON_A_PHONE = pytest.mark.parametrize("viewport", [PHONE], indirect=True, ids=["phone"])
URLCONF = "porchlight.media.tests.resumable_urls"
WORDS = {
    "en": {"label": "Photos and videos", "done": "Uploaded"},
    "es": {"label": "Fotos y vídeos", "done": "Subido"},
}


def noisy_png(side: int, seed: int) -> bytes:
    pixels = random.Random(seed).randbytes(side * side * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), pixels).save(out, format="PNG", compress_level=1)
    return out.getvalue()


def open_page(page: Any, live_server: Any, lang: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
    page.goto(f"{live_server.url}/test/resumable/")
    assert page.get_attribute("html", "lang") == lang


def wait_for(page: Any, predicate: Any, seconds: float = 30) -> None:
    # page.wait_for_timeout, not time.sleep: Playwright runs route handlers only while the test
    # is inside one of its calls.
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(50)


@ON_A_PHONE
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_files_go_up_with_progress_through_a_cut_connection(
    page: Any,
    live_server: Any,
    viewport: Any,
    lang: str,
    tus_purpose: TusProbe,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.ROOT_URLCONF = URLCONF
    photo = tmp_path / "porch.jpg"
    photo.write_bytes(jpeg_with_gps())
    big = tmp_path / "driveway.png"
    big.write_bytes(noisy_png(700, seed=3))  # about 1.5 MB: six chunks of 256 KB

    # The connection drops for two PATCHes of the big file (after its second chunk).
    patches = {"seen": 0, "cut": 0}

    def flaky(route: Any) -> None:
        request = route.request
        if request.method == "PATCH" and request.headers.get("upload-offset") != "0":
            patches["seen"] += 1
            if patches["seen"] in (2, 3):
                patches["cut"] += 1
                route.abort("internetdisconnected")
                return
        route.continue_()

    page.route(re.compile(r"/uploads/tus/"), flaky)
    open_page(page, live_server, lang)
    assert page.get_by_label(WORDS[lang]["label"]).is_visible()
    look(page, f"resumable-field-empty-{lang}")

    page.set_input_files("input[type=file]", [str(photo), str(big)])
    rows = page.locator(".resumable-list li")
    assert rows.count() == 2
    for row in (rows.nth(0), rows.nth(1)):
        bar = row.locator("progress")
        assert bar.get_attribute("aria-label")
        assert bar.get_attribute("aria-valuemax") == "100"
    page.wait_for_function(
        "() => document.querySelectorAll('.resumable-list li[data-state=done]').length === 2",
        timeout=60_000,
    )
    assert patches["cut"] == 2  # the cut really happened, and the upload went on anyway
    for row in (rows.nth(0), rows.nth(1)):
        assert row.locator("progress").get_attribute("aria-valuenow") == "100"
        assert WORDS[lang]["done"] in row.inner_text()

    ids = page.input_value("input[name=uploads]").split(",")
    assert len(ids) == 2
    uploads = {str(u.pk): u for u in ResumableUpload.objects.select_related("media_file")}
    assert set(ids) == set(uploads)
    digests = {u.media_file.original_sha256 for u in uploads.values() if u.media_file}
    assert digests == {
        hashlib.sha256(photo.read_bytes()).hexdigest(),
        hashlib.sha256(big.read_bytes()).hexdigest(),
    }
    look(page, f"resumable-field-done-{lang}")

    page.locator("main button[type=submit]").click()
    page.wait_for_selector("#sent")
    assert sorted(page.inner_text("#sent").split(",")) == sorted(ids)


@ON_A_PHONE
@pytest.mark.django_db(transaction=True)
def test_a_page_closed_halfway_resumes_when_the_same_file_is_chosen_again(
    page: Any,
    live_server: Any,
    viewport: Any,
    tus_purpose: TusProbe,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.ROOT_URLCONF = URLCONF
    big = tmp_path / "doorbell.png"
    big.write_bytes(noisy_png(800, seed=5))  # about 1.9 MB

    # The third chunk never arrives: the phone is put away with the page half done.
    def stall(route: Any) -> None:
        if route.request.method == "PATCH" and route.request.headers.get("upload-offset") == str(
            2 * 262144
        ):
            route.abort("internetdisconnected")
            return
        route.continue_()

    page.route(re.compile(r"/uploads/tus/"), stall)
    open_page(page, live_server, "en")
    page.set_input_files("input[type=file]", str(big))
    wait_for(page, lambda: ResumableUpload.objects.filter(offset=2 * 262144).exists())

    # Back later: the same page, the same file. (The cut lasts until the old page is gone, so
    # its own retries cannot finish the upload.)
    page.goto(f"{live_server.url}/test/resumable/")
    page.unroute(re.compile(r"/uploads/tus/"))
    assert ResumableUpload.objects.get().offset == 2 * 262144
    offsets: list[str] = []
    page.on(
        "request",
        lambda r: (
            offsets.append(r.headers.get("upload-offset", "")) if r.method == "PATCH" else None
        ),
    )
    page.set_input_files("input[type=file]", str(big))
    page.wait_for_selector(".resumable-list li[data-state=done]", timeout=60_000)

    assert ResumableUpload.objects.count() == 1  # resumed, not started over
    assert offsets[0] == str(2 * 262144)
    media = MediaFile.objects.get()
    assert media.original_sha256 == hashlib.sha256(big.read_bytes()).hexdigest()
    assert page.input_value("input[name=uploads]") == str(ResumableUpload.objects.get().pk)
