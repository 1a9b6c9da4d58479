"""Weeks are labelled in the page's language, by month name, wherever they appear: the
feedback dashboard's weekly table and chart, the Feedback page's chart (feedback/measures.py)
and the period report's trend. "11/16" read as the 11th of a 16th month to a Spanish reader,
and as November 16th to an English one."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import time_machine
from django.utils import translation

from porchlight.feedback import measures
from porchlight.insights import period
from porchlight.insights.dashboards import feedback
from porchlight.insights.filters import Filters
from porchlight.insights.tests.fixture import PACIFIC
from porchlight.insights.tests.test_other_dashboards import RANGE, answered  # noqa: F401

# The week of Monday 16 November 2026, as each language writes it.
TABLE = {"en": "Nov. 16, 2026", "es": "16 de noviembre de 2026"}
CHART = {"en": "Nov 16", "es": "16 nov"}


def test_the_feedback_dashboards_weeks(agency, answered):  # noqa: F811
    for lang in ("en", "es"):
        with (
            translation.override(lang),
            time_machine.travel(datetime(2026, 11, 20, 12, tzinfo=PACIFIC), tick=False),
        ):
            weekly = feedback.compute(agency, RANGE).figure("weekly")
        weeks = [row[0] for row in weekly.rows]
        assert weeks[-1] == TABLE[lang] and len(weeks) == 8, weeks
        bars = weekly.chart["bars"]
        assert bars[-1]["label"] == CHART[lang]
        assert bars[-1]["lines"] == CHART[lang].split(" ")
        assert all("/" not in b["label"] for b in bars)


def test_the_feedback_pages_chart_and_the_period_trend():
    weeks = [(date(2026, 11, 9) + timedelta(weeks=i), 50.0, 2) for i in range(2)]
    with translation.override("es"):
        assert [b["label"] for b in measures.chart(weeks)["bars"]] == ["9 nov", "16 nov"]
        slices = period._slices(Filters(since=date(2026, 11, 16), until=date(2026, 11, 29)))
    assert [label for label, _f in slices] == [TABLE["es"], "23 de noviembre de 2026"]
    with translation.override("en"):
        assert [b["label"] for b in measures.chart(weeks)["bars"]] == ["Nov 9", "Nov 16"]
        slices = period._slices(Filters(since=date(2026, 11, 16), until=date(2026, 11, 22)))
    assert [label for label, _f in slices] == [TABLE["en"]]
