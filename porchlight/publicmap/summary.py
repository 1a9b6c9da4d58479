"""The weekly safety summary of an area: this week against the eight weeks before it.

Context, not fear. A count alone ("3 burglaries near you") reads as a warning whatever it is;
beside the usual range it reads as what it is. So each category is compared with the lowest
and highest of the previous eight weeks, and worded as "within the usual range", "fewer than
in any of the last 8 weeks" or "more than in any of the last 8 weeks", never as a percentage
(one burglary instead of none is "+100%").

    from porchlight.publicmap.summary import weekly_summary, summary_text
    summary = weekly_summary(Circle(lat, lon, miles))      # the week ending now
    text = summary_text(summary)  # a short paragraph in the active language, for a digest
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from porchlight.publicmap import query
from porchlight.publicmap.models import Category, PublishedIncident

WEEKS_BEFORE = 8
WEEK = timedelta(days=7)


class Trend:
    FEWER = "fewer"
    USUAL = "usual"
    MORE = "more"
    # No earlier week to compare with (publication began this week): say so, not "more".
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class CategoryWeek:
    category: str
    this_week: int
    # The previous weeks' counts, oldest first, and their mean, lowest and highest.
    before: tuple[int, ...]

    @property
    def label(self) -> str:
        return str(Category(self.category).label)

    @property
    def usual(self) -> float:
        return sum(self.before) / len(self.before) if self.before else 0.0

    @property
    def low(self) -> int:
        return min(self.before, default=0)

    @property
    def high(self) -> int:
        return max(self.before, default=0)

    @property
    def trend(self) -> str:
        if not self.before:
            return Trend.UNKNOWN
        if self.this_week > self.high:
            return Trend.MORE
        if self.this_week < self.low:
            return Trend.FEWER
        return Trend.USUAL


@dataclass(frozen=True)
class Summary:
    area: query.Circle | query.Box
    start: datetime  # the week: (start, end]
    end: datetime
    categories: list[CategoryWeek]  # every category seen in the nine weeks, most this week first
    # How many of the previous weeks the map has data for: a week before the first published
    # incident is unknown, not a week of zero, or a new deployment would read as a crime wave.
    weeks_known: int

    @property
    def this_week(self) -> int:
        return sum(c.this_week for c in self.categories)

    @property
    def usual(self) -> float:
        return sum(c.usual for c in self.categories)

    @property
    def whole(self) -> CategoryWeek:
        """All categories together, as one row."""
        before = tuple(sum(c.before[i] for c in self.categories) for i in range(self.weeks_known))
        return CategoryWeek("", self.this_week, before)


def weekly_summary(
    area: query.Circle | query.Box,
    *,
    end: datetime | None = None,
    agency_id: int | None = None,
    weeks_before: int = WEEKS_BEFORE,
) -> Summary:
    """Counts per public category in the week ending at `end` (default now) and in each of the
    `weeks_before` weeks before it. One indexed query over the nine weeks."""
    end = end or timezone.now()
    start = end - WEEK
    first = start - weeks_before * WEEK
    shown = query.visible_mappings(None, agency_id)
    published = PublishedIncident.objects.all()
    if agency_id is not None:
        published = published.filter(agency_id=agency_id)
    earliest = published.aggregate(first=Min("occurred_at"))["first"]
    weeks_known = 0
    if earliest is not None:
        weeks_known = sum(1 for w in range(weeks_before) if start - (w + 1) * WEEK >= earliest)
    counts: dict[str, list[int]] = {}
    if shown:
        rows = query.narrowed(
            PublishedIncident.objects.filter(
                occurred_at__gt=first, occurred_at__lte=end, mapping_id__in=list(shown)
            ),
            area,
        ).values_list("mapping_id", "occurred_at", "lat", "lon")
        for mapping_id, at, lat, lon in rows.iterator(5000):
            if not query.inside(area, lat, lon):
                continue
            # Week 0 is the oldest; week `weeks_before` is this week.
            week = min(weeks_before, int((at - first) / WEEK))
            counts.setdefault(shown[mapping_id], [0] * (weeks_before + 1))[week] += 1
    categories = [
        CategoryWeek(category, weeks[-1], tuple(weeks[weeks_before - weeks_known : -1]))
        for category, weeks in counts.items()
    ]
    categories.sort(key=lambda c: (-c.this_week, -c.usual, c.label))
    return Summary(area, start, end, categories, weeks_known)


def sentence(row: CategoryWeek) -> str:
    """One calm sentence about one category (or the whole, with no category)."""
    weeks_before = len(row.before)
    if row.trend == Trend.UNKNOWN:
        return _("The map has no earlier weeks to compare with yet.")
    if row.trend == Trend.MORE:
        return ngettext(
            "More than in any of the previous %(weeks)d week (usually %(low)d–%(high)d).",
            "More than in any of the previous %(weeks)d weeks (usually %(low)d–%(high)d).",
            weeks_before,
        ) % {"weeks": weeks_before, "low": row.low, "high": row.high}
    if row.trend == Trend.FEWER:
        return ngettext(
            "Fewer than in any of the previous %(weeks)d week (usually %(low)d–%(high)d).",
            "Fewer than in any of the previous %(weeks)d weeks (usually %(low)d–%(high)d).",
            weeks_before,
        ) % {"weeks": weeks_before, "low": row.low, "high": row.high}
    return _("Within the usual range of %(low)d–%(high)d a week.") % {
        "low": row.low,
        "high": row.high,
    }


def summary_text(summary: Summary) -> str:
    """A short plain-text paragraph for an email or push digest, in the active language."""
    whole = summary.whole
    lines = [
        ngettext(
            "%(count)d incident this week.",
            "%(count)d incidents this week.",
            whole.this_week,
        )
        % {"count": whole.this_week}
        + " "
        + sentence(whole)
    ]
    for row in summary.categories:
        if row.this_week or row.high:
            lines.append(f"{row.label}: {row.this_week}. {sentence(row)}")
    lines.append(
        _(
            "Incidents are shown at the hundred block, after a delay, and calls for service "
            "are reports, not findings."
        )
    )
    return "\n".join(lines)
