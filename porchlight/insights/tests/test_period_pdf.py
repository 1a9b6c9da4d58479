"""The period report as a PDF: a real PDF (read back with pypdf) holding the agency, the period
and its hand-counted figures (test_period_report.py's fixture); the same access and refusals
as the page; the renderer fetches nothing but our static files."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from porchlight.insights import pdf
from porchlight.insights.tests.test_other_dashboards import answered, outbox  # noqa: F401
from porchlight.insights.tests.test_period_report import counted  # noqa: F401

pytestmark = pytest.mark.django_db
URL = "/console/insights/period/report.pdf?since=2026-11-16&until=2026-11-22"


def text_of(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_the_pdf_is_the_report_with_its_figures(staff_client, counted):  # noqa: F811
    r = staff_client("readonly").get(URL)
    assert r.status_code == 200, r.content[:500]
    assert r["Content-Type"] == "application/pdf"
    assert f'filename="report-{counted.slug}-2026-11-16-2026-11-22.pdf"' in r["Content-Disposition"]
    assert r.content.startswith(b"%PDF-")
    text = text_of(r.content)
    assert counted.name in text  # which agency
    assert "Service report" in text and "2026" in text  # which period
    # Headlines counted by hand in test_period_report.py: 9 calls against 4, 22.2% delayed.
    assert "up 125% from 4" in text and "22.2%" in text and "66.7%" in text
    # The print stylesheet applies: no menus, no date form, no download link.
    assert "Show the report" not in text and "Download PDF" not in text
    # The charts are drawn (SVG → PDF paths), not dropped: more than text on the pages.
    assert len(PdfReader(io.BytesIO(r.content)).pages) >= 3


def test_the_page_links_to_its_pdf(staff_client, counted):  # noqa: F811
    page = (
        staff_client("readonly")
        .get("/console/insights/period/?since=2026-11-16&until=2026-11-22")
        .content.decode()
    )
    assert (
        'href="/console/insights/period/report.pdf?since=2026-11-16&amp;until=2026-11-22"' in page
    )


def test_bad_dates_are_refused_and_strangers_sent_away(client, staff_client, agency):
    assert client.get(URL).status_code == 302  # not signed in: to the sign-in page
    r = staff_client("readonly").get("/console/insights/period/report.pdf?since=2026-13-01")
    assert r.status_code == 400 and b"not a date" in r.content


def test_the_renderer_fetches_only_static_files():
    found = pdf.static_only("https://porchlight.invalid/static/insights/period.css")
    assert b"@media print" in found["string"]
    for url in ("https://example.org/static/insights/period.css",
                "https://porchlight.invalid/etc/passwd", "file:///etc/passwd",
                "https://porchlight.invalid/static/../settings.py"):  # fmt: skip
        with pytest.raises(pdf.Refused):
            pdf.static_only(url)


def test_a_server_without_pango_says_so(staff_client, counted, monkeypatch):  # noqa: F811
    # The one thing faked: the system library missing (it is installed here). WeasyPrint
    # raises OSError on import when it cannot open Pango.
    def missing() -> None:
        raise OSError("cannot load library 'libpango-1.0-0': No such file or directory")

    monkeypatch.setattr(pdf, "_weasyprint", missing)
    r = staff_client("readonly").get(URL)
    assert r.status_code == 503
    assert "Pango" in r.content.decode() and "Save as PDF" in r.content.decode()
