"""Serving published copies and posters from the filesystem storage at /media/.

Only what the public may see lives in the default storage (originals are in "evidence"), and
names are random (storage._name), so a URL is as good as a capability. With S3 the bucket
serves the files itself and this view answers 404. An app that must check who is asking
(a private report's photos) serves `MediaFile.published.open()` through its own view instead.

Videos need HTTP Range requests (Safari will not play a video without them, and seeking uses
them), so single byte ranges are answered with 206.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.files.storage import FileSystemStorage, Storage, storages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe

TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "mp4": "video/mp4",
    "webm": "video/webm",
}
NAME = re.compile(r"^(?:published|posters)/\d{4}/\d{2}/[0-9a-f]{32}\.(jpg|png|mp4|webm)$")
CHUNK = 8 * 1024 * 1024
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


PUBLIC_CACHE = "public, max-age=31536000, immutable"


def _headers(response: HttpResponseBase, content_type: str, cache: str) -> HttpResponseBase:
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    # Never a document: no script runs even if a browser were talked into rendering it.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = cache
    response["Accept-Ranges"] = "bytes"
    return response


@require_safe
def serve(request: HttpRequest, name: str) -> HttpResponseBase:
    match = NAME.match(name)
    storage = storages["default"]
    if not match or not isinstance(storage, FileSystemStorage) or not storage.exists(name):
        raise Http404
    return ranged(request, storage, name, TYPES[match.group(1)])


def ranged(
    request: HttpRequest,
    storage: Storage,
    name: str,
    content_type: str,
    *,
    cache: str = PUBLIC_CACHE,
) -> HttpResponseBase:
    """A stored file, whole or as the single byte range asked for, served inert."""
    size = storage.size(name)
    wanted = RANGE.match(request.headers.get("Range", "").strip())
    if wanted and (wanted.group(1) or wanted.group(2)):
        start_s, end_s = wanted.groups()
        if start_s:
            start, end = int(start_s), min(int(end_s) if end_s else size - 1, size - 1)
        else:  # "bytes=-500": the last 500 bytes
            start, end = max(size - int(end_s), 0), size - 1
        # At most 8 MB per answer: the browser asks for the rest, memory stays bounded.
        end = min(end, start + CHUNK - 1)
        if start >= size or start > end:
            refused = HttpResponse(status=416)
            refused["Content-Range"] = f"bytes */{size}"
            return _headers(refused, content_type, cache)
        with storage.open(name, "rb") as f:
            f.seek(start)
            body = f.read(end - start + 1)
        partial = HttpResponse(body, status=206)
        partial["Content-Range"] = f"bytes {start}-{end}/{size}"
        partial["Content-Length"] = str(len(body))
        return _headers(partial, content_type, cache)
    handle: Any = storage.open(name, "rb")
    response = FileResponse(handle)
    response["Content-Length"] = str(size)
    return _headers(response, content_type, cache)
