"""The period report as a PDF: the page's own HTML and print stylesheet, laid out on the
server by WeasyPrint (inline SVG charts included), so the PDF is the printed page.

WeasyPrint fetches what the page links to; here it may read only our static files (found as
`collectstatic` would find them), never the network or the file system at large: a page
holding a link to another host must not make the server fetch it.
"""

from __future__ import annotations

import mimetypes
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders


class Refused(ValueError):
    """A URL the PDF renderer may not fetch."""


class Unavailable(RuntimeError):
    """WeasyPrint cannot load here: the server lacks Pango (docs/operators.md)."""


def _weasyprint() -> Any:
    import weasyprint  # a heavy import: only when a PDF is asked for

    return weasyprint


def static_only(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """WeasyPrint's url_fetcher: `/static/…` from the static files, anything else refused."""
    path = unquote(urlsplit(url).path)
    prefix = settings.STATIC_URL
    if not path.startswith(prefix) or urlsplit(url).netloc not in ("", "porchlight.invalid"):
        raise Refused(url)
    name = path[len(prefix) :]
    if ".." in name.split("/"):
        raise Refused(url)
    found = finders.find(name)
    if not found or isinstance(found, list):
        raise Refused(url)
    with open(found, "rb") as f:
        data = f.read()
    return {"string": data, "mime_type": mimetypes.guess_type(found)[0], "filename": name}


def render(html: str) -> bytes:
    """PDF bytes of a page rendered with its print stylesheet (media "print")."""
    try:
        # The Python package is always installed; Pango is a system library it opens on
        # import, and a server without it must say so rather than fail with a traceback.
        weasyprint = _weasyprint()
    except OSError as exc:
        raise Unavailable(str(exc)) from exc
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            found = static_only(url)
            return URLFetcherResponse(
                url, found["string"], {"Content-Type": found["mime_type"] or "text/plain"}
            )

    document = weasyprint.HTML(
        string=html, base_url="https://porchlight.invalid/", url_fetcher=StaticOnly()
    )
    pdf = document.write_pdf()
    assert pdf is not None
    return bytes(pdf)
