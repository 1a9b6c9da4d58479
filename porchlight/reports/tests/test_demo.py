"""The demo shows online reports: categories, and reports filed through the real path."""

from __future__ import annotations

from porchlight.cases.models import Case
from porchlight.demo import addresses
from porchlight.notify.models import Outbox, Trigger
from porchlight.reports import demo
from porchlight.reports.models import Category, Report


def test_the_demo_files_reports_that_open_cases_once(agency) -> None:
    addresses.seed(agency)
    demo.seed(agency)
    demo.seed(agency)
    assert Category.objects.filter(agency=agency).count() == len(demo.CATEGORIES)
    reports = list(Report.objects.filter(agency=agency).select_related("case"))
    assert len(reports) == len(demo.REPORTS) == Case.objects.filter(source="online").count()
    assert all(r.lat is not None and r.address for r in reports)
    assert {r.language for r in reports} == {"en", "es"}
    assert Outbox.objects.filter(trigger=Trigger.CASE_OPENED).count() == 4
