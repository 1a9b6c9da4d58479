"""The calls dashboard against the six hand-counted calls (fixture.py): summary, the day ×
hour grid, percentiles by priority, beat and district; its CSV is the screen; each figure
links to the rows behind it; bad filters are refused; another agency sees none of it."""

from __future__ import annotations

import html

import pytest

from porchlight.demo.agency import make_agency
from porchlight.insights import rollups
from porchlight.insights.dashboards import calls
from porchlight.insights.filters import Filters
from porchlight.insights.tests.fixture import six_calls
from porchlight.insights.tests.screen import csv_rows, tables

pytestmark = pytest.mark.django_db
WEEK = "since=2026-11-16&until=2026-11-22"
URL = "/console/insights/calls/"


@pytest.fixture
def counted(agency):
    six_calls(agency)
    rollups.rebuild(agency)
    return agency


def board(agency, **extra):
    from datetime import date

    return calls.compute(
        agency, Filters(since=date(2026, 11, 16), until=date(2026, 11, 22), **extra)
    )


def rows_of(figure):
    return {row[0]: row[1:] for row in figure.rows}


def test_the_summary_by_hand(counted):
    summary = rows_of(board(counted).figure("summary"))
    assert summary["Calls"] == ["6"]
    assert summary["Calls with a delay notice"] == ["2"]
    assert summary["Share with a delay notice"] == ["33.3%"]
    # Dispatch: 60 s, 2.5, 5, 12 and 25 min → the 3rd of 5 is ≤ 5 min, the 5th ≤ 30 min.
    assert summary["Received → dispatched p50"] == ["≤ 5 min"]
    assert summary["Received → dispatched p90"] == ["≤ 30 min"]
    # On scene: 3, 4, 6, 8 min → 2nd of 4 ≤ 5 min, 4th ≤ 10 min.
    assert summary["Dispatched → on scene p50"] == ["≤ 5 min"]
    assert summary["Dispatched → on scene p90"] == ["≤ 10 min"]
    # Cleared (A4's time unknown): 20, 30, 40, 70 min → ≤ 30 min and ≤ 1 h 30 min.
    assert summary["Received → cleared p50"] == ["≤ 30 min"]
    assert summary["Received → cleared p90"] == ["≤ 1 h 30 min"]


def test_the_day_and_hour_grid_by_hand(counted):
    grid = rows_of(board(counted).figure("volume"))
    assert grid["Mon"][8] == "2" and grid["Mon"][14] == "1"
    assert grid["Tue"][9] == "2" and grid["Tue"][23] == "1"
    assert sum(int(v) for row in grid.values() for v in row) == 6


def test_percentiles_by_priority_beat_and_district(counted):
    dash = board(counted)
    head = dash.figure("times_priority").columns
    p1 = dict(zip(head[1:], rows_of(dash.figure("times_priority"))["1"], strict=True))
    assert (p1["Calls"], p1["Delay notice"]) == ("3", "33.3%")
    # Priority 1 dispatches: 60 s and 2 min 30 s (A5 never dispatched).
    assert p1["Received → dispatched p50"] == "≤ 1 min"
    assert p1["Received → dispatched p90"] == "≤ 3 min"
    assert p1["Received → dispatched n"] == "2"
    p2 = dict(zip(head[1:], rows_of(dash.figure("times_priority"))["2"], strict=True))
    assert (p2["Received → dispatched p50"], p2["Received → dispatched p90"]) == (
        "≤ 15 min",
        "≤ 30 min",
    )
    beats = rows_of(dash.figure("times_beat"))
    assert (beats["B1"][0], beats["B1"][1]) == ("2", "50.0%")
    districts = rows_of(dash.figure("times_district"))
    assert districts["D2"][0] == "3" and districts["D2"][1] == "0.0%"


def test_filters_narrow_every_figure(counted):
    summary = rows_of(board(counted, beat="B2").figure("summary"))
    assert summary["Calls"] == ["2"] and summary["Calls with a delay notice"] == ["1"]
    summary = rows_of(board(counted, priority="1", district="D2").figure("summary"))
    assert summary["Calls"] == ["1"]  # A5
    summary = rows_of(board(counted, call_type="415").figure("summary"))
    assert summary["Calls"] == ["3"]


def test_the_csv_is_the_screen(staff_client, counted):
    client = staff_client("readonly")
    page = client.get(f"{URL}?{WEEK}")
    assert page.status_code == 200
    shown = tables(page.content.decode())
    exported = csv_rows(
        client.get(f"/console/insights/calls/export.csv?{WEEK}").content.decode("utf-8")
    )
    dash = board(counted)
    from_csv: dict[str, list[list[str]]] = {}
    for figure in dash.figures:
        block = [r[1:] for r in exported if r[0] == figure.title]
        from_csv[figure.key] = block
    assert set(shown) == set(from_csv)
    for key, table in shown.items():
        assert [table["columns"], *table["rows"]] == from_csv[key], key
    assert ["Calls", "6"] in shown["summary"]["rows"]


def test_each_figure_links_to_its_rows(staff_client, counted):
    client = staff_client("readonly")
    page = client.get(f"{URL}?{WEEK}").content.decode()
    assert html.escape(f"/console/insights/calls/rows/?{WEEK}&delayed=1") in page
    delayed = tables(client.get(f"/console/insights/calls/rows/?{WEEK}&delayed=1").content.decode())
    assert sorted(r[0] for r in delayed["rows"]["rows"]) == ["A1", "A3"]
    # The Monday 08:00 cell of the grid: A1 and A2.
    cell = tables(client.get(f"/console/insights/calls/rows/?{WEEK}&dow=1&hour=8").content.decode())
    assert sorted(r[0] for r in cell["rows"]["rows"]) == ["A1", "A2"]
    # Tuesday 23:00 on the agency's clock is A6, though it is Wednesday in UTC.
    late = tables(
        client.get(f"/console/insights/calls/rows/?{WEEK}&dow=2&hour=23").content.decode()
    )
    assert [r[0] for r in late["rows"]["rows"]] == ["A6"]
    # Priority 2's on-scene figure counts the two calls with both times.
    scene = tables(
        client.get(
            f"/console/insights/calls/rows/?{WEEK}&priority=2&measured=scene"
        ).content.decode()
    )
    assert sorted(r[0] for r in scene["rows"]["rows"]) == ["A3", "A6"]
    exported = csv_rows(
        client.get(f"/console/insights/calls/rows/?{WEEK}&delayed=1&format=csv").content.decode()
    )
    assert sorted(r[0] for r in exported[1:]) == ["A1", "A3"]


@pytest.mark.parametrize(
    "query",
    ["since=2026-13-01", "since=2026-11-20&until=2026-11-01", "beat=" + "x" * 40,
     "since=1900-01-01&until=2026-01-01"],
)  # fmt: skip
def test_bad_filters_are_refused_with_a_reason(staff_client, counted, query):
    client = staff_client("readonly")
    for url in (URL, "/console/insights/calls/export.csv", "/console/insights/calls/rows/"):
        r = client.get(f"{url}?{query}")
        assert r.status_code == 400 and r.content, (url, query)
    assert client.get(f"/console/insights/calls/rows/?{WEEK}&hour=24").status_code == 400
    assert client.get(f"/console/insights/calls/rows/?{WEEK}&measured=x").status_code == 400
    assert client.get("/console/insights/nothing/").status_code == 404


def test_another_agency_sees_none_of_it(staff_client, counted):
    other = make_agency(slug="delano", name="Delano Police Department", ori="CA0150300")
    client = staff_client("admin", username="delano-admin", for_agency=other)
    shown = tables(client.get(f"{URL}?{WEEK}").content.decode())
    assert ["Calls", "0"] in shown["summary"]["rows"]
    rows = client.get(f"/console/insights/calls/rows/?{WEEK}").content.decode()
    assert "A1" not in tables(rows).get("rows", {"rows": []})["rows"].__str__()


def test_staff_only(client, counted):
    r = client.get(URL)
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def square(lon, lat):
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.01], [lon, lat + 0.01], [lon, lat]]
        ],
    }


def add_beats(agency, codes):
    from porchlight.alerts.models import Beat

    for i, code in enumerate(codes):
        lon, lat = -119.02 + 0.01 * i, 35.37
        Beat.objects.create(agency=agency, code=code, geometry=square(lon, lat), min_lat=lat,
                            max_lat=lat + 0.01, min_lon=lon, max_lon=lon + 0.01)  # fmt: skip


def test_no_map_without_beat_shapes(counted):
    assert "map" not in {f.key for f in board(counted).figures}


def test_the_map_of_calls_by_beat(counted):
    add_beats(counted, ["B1", "B2", "B9"])
    figure = board(counted).figure("map")
    assert rows_of(figure) == {"B1": ["2"], "B2": ["2"], "B9": ["0"]}  # B3 has no shape
    shapes = {s["code"]: s for s in figure.chart["shapes"]}
    assert set(shapes) == {"B1", "B2", "B9"}
    # B1 and B2 had the most calls: the darkest shade; B9 none: the lightest.
    assert shapes["B1"]["opacity"] == shapes["B2"]["opacity"] == 1.0
    assert shapes["B9"]["opacity"] < 0.1
    # Side by side, west to east, the same size.
    assert shapes["B1"]["lx"] < shapes["B2"]["lx"] < shapes["B9"]["lx"]
    assert shapes["B1"]["d"].startswith("M") and shapes["B1"]["d"].endswith("Z")
