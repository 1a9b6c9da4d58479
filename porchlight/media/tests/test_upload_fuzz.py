"""Damaged files (bytes flipped, cut, spliced) get an UploadRefused or are accepted clean;
never another exception, which a view would turn into a 500."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from porchlight.media.uploads import UploadRefused, accept_image
from standins.media import jpeg_with_gps, png, upload

SEEDS = [jpeg_with_gps((96, 64)), png((48, 32)), jpeg_with_gps((96, 64), fmt="WEBP")]


def _heif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, format="HEIF")
    return out.getvalue()


SEEDS.append(_heif())


@settings(max_examples=300, deadline=None)
@given(
    seed=st.sampled_from(SEEDS),
    flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=8),
    cut=st.one_of(st.none(), st.integers(0, 10_000)),
)
def test_damaged_images_are_refused_or_clean(
    seed: bytes, flips: list[tuple[int, int]], cut: int | None
) -> None:
    data = bytearray(seed)
    for at, value in flips:
        data[at % len(data)] = value
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    try:
        accepted = accept_image(upload("x.jpg", bytes(data)))
    except UploadRefused as refused:
        assert refused.code in UploadRefused.CODES
        return
    with Image.open(io.BytesIO(accepted.published.read())) as published:
        assert dict(published.getexif()) == {}
