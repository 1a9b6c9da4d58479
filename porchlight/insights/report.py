"""The period report: one printable page for a chosen period (a pilot's months, a quarter)
for command staff and the city council, built from the dashboards' own figures, with each
summary figure beside the same figure for the period just before."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from porchlight.agencies.models import Agency
from porchlight.insights.dashboards import calls, cases, feedback, messages
from porchlight.insights.figures import Dashboard, Figure
from porchlight.insights.filters import Filters

# The figures the report shows from each dashboard beyond its summary.
SECTIONS: dict[str, tuple[str, ...]] = {
    "calls": ("volume", "times_priority"),
    "messages": ("failures", "consent"),
    "feedback": ("weekly", "themes", "commendations"),
    "cases": ("status",),
}


@dataclass
class Section:
    title: str
    comparison: Figure
    figures: list[Figure] = field(default_factory=list)


def compare(now: Figure, before: Figure, current: str, previous: str) -> Figure:
    """The summary table with the previous period's value beside each line."""
    earlier = {row[0]: row[1] for row in before.rows}
    out = Figure(f"{now.key}_compare", now.title, [_("Measure"), current, previous])
    for row in now.rows:
        out.add([row[0], row[1], earlier.get(row[0], "–")])
    return out


def build(agency: Agency | None, filters: Filters) -> list[Section]:
    before = filters.previous()
    current = _("%(since)s to %(until)s") % {"since": filters.since, "until": filters.until}
    previous = _("%(since)s to %(until)s") % {"since": before.since, "until": before.until}
    sections = []
    for module in (calls, messages, feedback, cases):
        now: Dashboard = module.compute(agency, filters)  # type: ignore[attr-defined]
        then: Dashboard = module.compute(agency, before)  # type: ignore[attr-defined]
        section = Section(
            now.title, compare(now.figure("summary"), then.figure("summary"), current, previous)
        )
        section.comparison.key = f"{now.kind}_compare"
        keys = {f.key for f in now.figures}
        section.figures = [now.figure(k) for k in SECTIONS[now.kind] if k in keys]
        sections.append(section)
    return sections
