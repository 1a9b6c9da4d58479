"""A map of calls by beat (or district) whose shapes' codes are not the CAD's codes drew every
area at zero with no word why (the demo: shapes 1–4, calls in B11…B53). The figure now says how
many calls are in areas it has no shape for, and which, so an admin knows what to load."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import translation

from porchlight.alerts import beats
from porchlight.alerts.tests.conftest import beat_file
from porchlight.insights import districts
from porchlight.insights.dashboards.calls import beats_map, districts_map
from porchlight.insights.filters import Filters
from porchlight.insights.tests.test_districts import district_file

pytestmark = pytest.mark.django_db
FILTERS = Filters(since=date(2026, 11, 1), until=date(2026, 11, 30))


def test_calls_in_beats_without_a_shape_are_counted_and_named(agency: Any) -> None:
    beats.import_geojson(agency, beat_file(), code_property="beat")  # 1A, 1B, 2A, 2B
    figure = beats_map(agency, {"B11": 40, "B12": 2, "1A": 3, "": 5}, FILTERS)
    assert figure is not None
    assert figure.rows[0] == ["1A", "3"]
    assert "42 calls" in figure.note and "B11, B12" in figure.note
    with translation.override("es"):
        figure = beats_map(agency, {"B11": 40, "B12": 2, "1A": 3}, FILTERS)
    assert figure is not None and "42 llamadas" in figure.note


def test_every_call_on_a_shape_no_note(agency: Any) -> None:
    beats.import_geojson(agency, beat_file(), code_property="beat")
    figure = beats_map(agency, {"1A": 3, "2B": 1, "": 4}, FILTERS)
    assert figure is not None and figure.note == ""


def test_the_district_map_says_it_too(agency: Any) -> None:
    districts.import_geojson(agency, district_file())  # D1, D2
    figure = districts_map(agency, {"Central": 7, "D1": 1}, FILTERS)
    assert figure is not None and "7 calls" in figure.note and "Central" in figure.note
