"""The period report draws the dashboards' district maps (calls by district, CSAT by
district) when the agency has district shapes: inline SVG made on the server, so the page
needs no script and the PDF (WeasyPrint) has the map too. Without shapes: no map at all."""

from __future__ import annotations

import re

import pytest

from porchlight.insights import districts, period
from porchlight.insights.tests.test_districts import district_file
from porchlight.insights.tests.test_other_dashboards import answered, outbox  # noqa: F401
from porchlight.insights.tests.test_period_pdf import text_of
from porchlight.insights.tests.test_period_report import WEEK, counted  # noqa: F401

pytestmark = pytest.mark.django_db
DATES = "since=2026-11-16&until=2026-11-22"


def section(html: str, key: str) -> str:
    """A report section's HTML, up to the next section (its figures are nested sections)."""
    start = html.index(f'<section class="pr-section" id="pr-{key}"')
    end = html.find('<section class="pr-section"', start + 1)
    return html[start : end if end != -1 else len(html)]


def test_no_shapes_no_map(counted):  # noqa: F811
    report = period.build(counted, WEEK)
    keys = [f.key for s in report.sections for f in s.figures]
    assert "district_map" not in keys and "by_district" not in keys


def test_the_report_holds_both_maps_with_their_tables(counted):  # noqa: F811
    districts.import_geojson(counted, district_file())
    sections = {s.key: s for s in period.build(counted, WEEK).sections}
    calls_map = next(f for f in sections["volumes"].figures if f.key == "district_map")
    # The six calls: A1–A3 in D1, A4–A6 in D2, and the three answered calls are in D2.
    assert calls_map.rows == [["D1", "3"], ["D2", "6"]]
    assert {s["code"] for s in calls_map.chart["shapes"]} == {"D1", "D2"}
    csat_map = next(f for f in sections["satisfaction"].figures if f.key == "by_district")
    assert csat_map.chart["kind"] == "map"


def test_the_page_draws_the_maps_as_svg(staff_client, counted):  # noqa: F811
    districts.import_geojson(counted, district_file())
    client = staff_client("readonly")
    html = client.get(f"/console/insights/period/?{DATES}").content.decode()
    volumes = section(html, "volumes")
    svg = re.search(r'<svg class="in-chart in-map".*?</svg>', volumes, re.S)
    assert svg, volumes[:2000]
    assert svg.group(0).count('<path class="area"') == 2
    assert ">D1</text>" in svg.group(0) and ">D2</text>" in svg.group(0)
    assert 'aria-labelledby="district_map-h district_map-desc"' in svg.group(0)
    assert "<script" not in volumes
    satisfaction = section(html, "satisfaction")
    assert satisfaction.count('<path class="area"') == 2
    spanish = client.get(f"/console/insights/period/?{DATES}", HTTP_ACCEPT_LANGUAGE="es")
    assert "Mapa de llamadas por distrito" in spanish.content.decode()


def test_the_pdf_has_the_map(staff_client, counted):  # noqa: F811
    client = staff_client("readonly")
    url = f"/console/insights/period/report.pdf?{DATES}"
    without = client.get(url)
    assert without.status_code == 200
    assert "Map of calls by district" not in text_of(without.content)
    districts.import_geojson(counted, district_file())
    r = client.get(url)
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")
    text = text_of(r.content)
    assert "Map of calls by district" in text and "CSAT and NPS by district" in text
    assert "darker districts had more calls" in text  # the shading explained on paper
    # The map is drawn, not dropped: the SVG's shapes are vector paths on the page.
    assert len(r.content) > len(without.content)
