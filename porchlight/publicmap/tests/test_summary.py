"""The weekly summary: this week beside the range of the eight weeks before it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from porchlight.publicmap import publish, summary
from porchlight.publicmap.models import PublishedIncident
from porchlight.publicmap.query import Circle
from porchlight.publicmap.tests.builders import BLOCK_LAT, make_call

pytestmark = pytest.mark.django_db


def weeks_of(agency, now, counts_by_week_ago, code="459R"):
    for weeks_ago, count in counts_by_week_ago.items():
        for _ in range(count):
            make_call(agency, code, ago=timedelta(days=7 * weeks_ago + 3), now=now)


def test_within_more_and_fewer_than_usual(agency):
    now = timezone.now()
    # Burglary: 2-4 a week before; this week 3 → usual. Disturbance: 1 a week; this week 4.
    weeks_of(agency, now, {0: 3, 1: 2, 2: 4, 3: 3, 4: 2, 5: 3, 6: 4, 7: 2, 8: 3})
    weeks_of(agency, now, {0: 4, **{w: 1 for w in range(1, 9)}}, code="415")
    weeks_of(agency, now, {w: 2 for w in range(1, 9)}, code="488")  # none this week
    make_call(agency, ago=timedelta(days=75), now=now)  # the map's history began before that
    publish.run(agency, now, lookback=timedelta(days=80))
    from porchlight.publicmap.models import CategoryMapping

    CategoryMapping.objects.filter(code="415").update(category="disturbance")
    CategoryMapping.objects.filter(code="488").update(category="theft")
    area = Circle(BLOCK_LAT, -119.008, 1.0)
    result = summary.weekly_summary(area, end=now - timedelta(hours=1))
    by = {c.category: c for c in result.categories}
    assert (by["burglary"].this_week, by["burglary"].low, by["burglary"].high) == (3, 2, 4)
    assert by["burglary"].trend == summary.Trend.USUAL
    assert by["disturbance"].trend == summary.Trend.MORE
    assert by["theft"].trend == summary.Trend.FEWER
    assert by["theft"].usual == 2.0
    assert result.this_week == 7
    text = summary.summary_text(result)
    assert text.startswith("7 incidents this week.")
    assert "Disturbance: 4. More than in any of the previous 8 weeks (usually 1–1)." in text
    assert "Burglary: 3. Within the usual range of 2–4 a week." in text
    assert "Theft: 0. Fewer than in any of the previous 8 weeks (usually 2–2)." in text


def test_outside_the_circle_is_not_counted(agency):
    now = timezone.now()
    make_call(agency, ago=timedelta(days=2), now=now)
    publish.run(agency, now)
    incident = PublishedIncident.objects.get()
    near = Circle(incident.lat + 0.0140, incident.lon, 1.0)  # ~0.97 mi away
    far = Circle(incident.lat + 0.0150, incident.lon, 1.0)  # ~1.04 mi away
    assert summary.weekly_summary(near, end=now).this_week == 1
    assert summary.weekly_summary(far, end=now).this_week == 0


def test_an_empty_area_is_a_calm_zero(agency):
    now = timezone.now()
    make_call(agency, ago=timedelta(days=70), now=now)
    publish.run(agency, now, lookback=timedelta(days=80))
    result = summary.weekly_summary(Circle(BLOCK_LAT, -119.0, 0.1), end=now)
    assert result.categories == [] and result.this_week == 0 and result.weeks_known == 8
    assert summary.summary_text(result).startswith("0 incidents this week. Within the usual")


def test_weeks_before_the_first_publication_are_unknown_not_zero(agency):
    """A new deployment: three weeks of history. Its first week is not "more than usual"."""
    now = timezone.now()
    weeks_of(agency, now, {0: 2, 1: 1, 2: 1})
    publish.run(agency, now, lookback=timedelta(days=30))
    area = Circle(BLOCK_LAT, -119.008, 1.0)
    result = summary.weekly_summary(area, end=now)
    assert result.weeks_known == 1  # only the week entirely after the first incident
    [burglary] = result.categories
    assert burglary.before == (1,) and burglary.trend == summary.Trend.MORE
    # With no history before this week at all, it says so.
    fresh = summary.weekly_summary(area, end=now - timedelta(days=14))
    assert fresh.weeks_known == 0
    assert fresh.whole.trend == summary.Trend.UNKNOWN
    assert "no earlier weeks to compare" in summary.summary_text(fresh)
