"""Photos for the demo's posts and reports: drawn street scenes (no real people or places),
saved as a phone would (EXIF with the camera and the GPS of the spot), then taken through the
real upload path, so the demo's published copies show the metadata gone.

    media = demo_photo(3, lat, lon)   # a saved MediaFile
"""

from __future__ import annotations

import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from porchlight.media.models import MediaFile
from porchlight.media.storage import keep
from porchlight.media.uploads import accept_image

SIZE = (1280, 960)


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    return (float(d), float(m), round(((value - d) * 60 - m) * 60, 3))


def scene(seed: int, lat: float, lon: float) -> bytes:
    """A JPEG of a drawn street (sky, houses, a car, a fence) with EXIF camera and GPS."""
    rng = random.Random(seed)
    w, h = SIZE
    image = Image.new("RGB", SIZE, (rng.randrange(120, 180), rng.randrange(170, 210), 235))
    draw = ImageDraw.Draw(image)
    ground = int(h * 0.62)
    draw.rectangle((0, ground, w, h), fill=(90, 90, 95))  # the street
    draw.rectangle((0, ground - 18, w, ground), fill=(170, 170, 165))  # the sidewalk
    x = -rng.randrange(0, 120)
    while x < w:
        width = rng.randrange(220, 340)
        top = ground - rng.randrange(200, 320)
        colour = tuple(rng.randrange(120, 240) for _ in range(3))
        draw.rectangle((x, top, x + width, ground - 18), fill=colour)
        draw.polygon(
            [(x - 10, top), (x + width // 2, top - 80), (x + width + 10, top)], fill=(110, 60, 50)
        )
        draw.rectangle(
            (x + width // 2 - 22, ground - 98, x + width // 2 + 22, ground - 18), fill=(80, 50, 30)
        )
        for wx in (x + 30, x + width - 80):
            draw.rectangle((wx, top + 40, wx + 50, top + 90), fill=(200, 225, 240))
        x += width + rng.randrange(10, 60)
    cx = rng.randrange(100, w - 400)
    car = tuple(rng.randrange(30, 220) for _ in range(3))
    draw.rounded_rectangle((cx, ground + 60, cx + 300, ground + 150), radius=30, fill=car)
    draw.rounded_rectangle((cx + 60, ground + 10, cx + 230, ground + 80), radius=20, fill=car)
    for wheel in (cx + 60, cx + 240):
        draw.ellipse((wheel - 28, ground + 125, wheel + 28, ground + 181), fill=(20, 20, 20))
    exif = Image.Exif()
    exif[0x010F] = "Demo Phone"
    exif[0x0110] = "Camera 12"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = ("N" if lat >= 0 else "S"), _dms(lat)
    gps[3], gps[4] = ("E" if lon >= 0 else "W"), _dms(lon)
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=88, exif=exif.tobytes())
    return out.getvalue()


def demo_photo(seed: int, lat: float, lon: float) -> MediaFile:
    """A drawn photo taken at (lat, lon), accepted and stored like any upload."""
    data = scene(seed, lat, lon)
    media: MediaFile = keep(accept_image(SimpleUploadedFile(f"IMG_{seed:04d}.JPG", data)))
    return media
