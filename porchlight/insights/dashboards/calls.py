"""The calls dashboard, read from the rollups only: volume by day of the week and hour, the
share with a delay notice, and response-time percentiles overall and by priority, beat and
district. A page view is a handful of SUM(...) GROUP BY queries over rollup rows (one per
day and combination of codes), never a scan of the calls; a long range reads its whole months
from the month rollup (one row per month, weekday and combination), only its ends by day."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import ExtractWeekDay
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from porchlight.agencies.models import Agency
from porchlight.alerts.models import Beat
from porchlight.insights import buckets, charts, districts
from porchlight.insights.figures import Dashboard, Figure, pct
from porchlight.insights.filters import Filters
from porchlight.insights.models import HOURS, BeatRollup, CallRollup, MonthRollup
from porchlight.insights.rollups import month_end, month_of

PERCENTILES = (50, 90)
BUCKET_COLUMNS = [c for m in buckets.METRICS for c in buckets.columns(m)]
SUMMED = ["calls", "delayed", *BUCKET_COLUMNS]


def day_names() -> list[str]:
    return [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


def metric_names() -> dict[str, str]:
    return {
        "disp": _("Received → dispatched"),
        "scene": _("Dispatched → on scene"),
        "clear": _("Received → cleared"),
    }


def whole_months(filters: Filters) -> tuple[date, date] | None:
    """The first days of the first and last whole months inside the range, if any."""
    first = month_of(filters.since)
    if first != filters.since:
        first = month_end(first) + timedelta(days=1)
    last = month_of(filters.until)
    if month_end(last) != filters.until:
        last = month_of(last - timedelta(days=1))
    return (first, last) if first <= last else None


def rollups(agency: Agency | None, filters: Filters, months: bool = True) -> list[Source]:
    """Where the range's figures come from: the beat rollup (no call type column, a twentieth
    of the rows) unless a call type is chosen; and for a range that holds whole months (and no
    call type), those months from the month rollup, only the days at the ends from days."""
    model: type[CallRollup | BeatRollup] = CallRollup if filters.call_type else BeatRollup
    span = whole_months(filters) if months and not filters.call_type else None
    days: QuerySet[Any] = model.objects.all()
    if span is None:
        days = days.filter(day__gte=filters.since, day__lte=filters.until)
    else:
        days = days.filter(
            Q(day__gte=filters.since, day__lt=span[0])
            | Q(day__gt=month_end(span[1]), day__lte=filters.until)
        )
    out = [Source(days, ExtractWeekDay("day"), sunday_first=True)]
    if span is not None:
        whole = MonthRollup.objects.filter(month__gte=span[0], month__lte=span[1])
        out.append(Source(whole, F("weekday"), sunday_first=False))
    if agency is not None:
        out = [s.narrowed(agency=agency) for s in out]
    return [s.narrowed(**filters.dims) for s in out]


@dataclass(frozen=True)
class Source:
    """Rollup rows to sum, and how to read the day of the week from them."""

    rows: QuerySet[Any]
    weekday: Any  # an expression: 1 … 7
    sunday_first: bool  # ExtractWeekDay (1 = Sunday) or ISO (1 = Monday)

    def narrowed(self, **lookups: Any) -> Source:
        return replace(self, rows=self.rows.filter(**lookups)) if lookups else self

    def monday_first(self, n: int) -> int:
        """0 = Monday … 6 = Sunday."""
        return (n + 5) % 7 if self.sunday_first else n - 1


def _add(into: dict[str, Any], row: dict[str, Any]) -> None:
    for name in SUMMED:
        into[name] = into.get(name, 0) + (row.get(name) or 0)


def sums(columns: list[str]) -> dict[str, Any]:
    return {c: Sum(c) for c in columns}


def percentiles(row: dict[str, Any], metric: str) -> list[int | None]:
    counts = [row.get(c) or 0 for c in buckets.columns(metric)]
    return [buckets.percentile(counts, p) for p in PERCENTILES]


def measured(row: dict[str, Any], metric: str) -> int:
    return sum(row.get(c) or 0 for c in buckets.columns(metric))


def _times_figure(key: str, title: str, head: str, groups: list[tuple[str, dict[str, Any]]],
                  filters: Filters, dim: str | None) -> Figure:  # fmt: skip
    names = metric_names()
    columns = [head, _("Calls"), _("Delay notice")]
    for metric in buckets.METRICS:
        columns += [f"{names[metric]} p{p}" for p in PERCENTILES] + [f"{names[metric]} n"]
    figure = Figure(key, title, columns)
    bar_items = []
    for label, row in groups:
        calls, delayed = row.get("calls") or 0, row.get("delayed") or 0
        cells: list[Any] = [label, calls, pct(delayed, calls)]
        extra = {dim: row.get(dim) or ""} if dim else {}
        # An empty code is its own group ("none") in the rollup; the rows page cannot filter
        # on "empty", so that group links nowhere.
        base = filters.query(**extra) if not dim or row.get(dim) else None
        links: list[str | None] = [
            base,
            base,
            filters.query(**extra, delayed="1") if base else None,
        ]
        for metric in buckets.METRICS:
            values = percentiles(row, metric)
            cells += [buckets.label(v) for v in values] + [measured(row, metric)]
            link = filters.query(**extra, measured=metric) if base else None
            links += [link] * (len(PERCENTILES) + 1)
        figure.add(cells, links)
        p90 = percentiles(row, "disp")[1]
        bar_items.append((label, None if p90 is None else (86400 * 1.5 if p90 < 0 else p90),
                          buckets.label(p90), base))  # fmt: skip
    if bar_items:
        figure.chart = charts.bars(bar_items)
        figure.chart["caption"] = _("p90, received → dispatched")
    return figure


def compute(agency: Agency | None, filters: Filters, months: bool = True) -> Dashboard:
    """The dashboard; `months=False` reads days only (the tests compare the two)."""
    sources = rollups(agency, filters, months)
    # One grouped query per source gives every table: the total, and the sums by priority,
    # beat and district, are added up here from its (few) priority × beat × district rows.
    combos = [
        dict(row)
        for source in sources
        for row in source.rows.values("priority", "beat", "district")
        .annotate(**sums(SUMMED))
        .order_by()
    ]
    totals: dict[str, Any] = {}
    by: dict[str, dict[str, dict[str, Any]]] = {"priority": {}, "beat": {}, "district": {}}
    for row in combos:
        _add(totals, row)
        for dim, groups in by.items():
            group = groups.setdefault(row[dim], {dim: row[dim]})
            _add(group, row)
    calls, delayed = totals.get("calls", 0), totals.get("delayed", 0)

    summary = Figure("summary", _("Summary"), [_("Measure"), _("Value")])
    summary.add([_("Calls"), calls], [None, filters.query() if calls else None])
    summary.add([_("Calls with a delay notice"), delayed],
                [None, filters.query(delayed="1") if delayed else None])  # fmt: skip
    summary.add([_("Share with a delay notice"), pct(delayed, calls)])
    names = metric_names()
    for metric in buckets.METRICS:
        p50, p90 = percentiles(totals, metric)
        link = filters.query(measured=metric) if measured(totals, metric) else None
        summary.add([f"{names[metric]} p50", buckets.label(p50)], [None, link])
        summary.add([f"{names[metric]} p90", buckets.label(p90)], [None, link])

    # Volume by local day of the week × hour. ExtractWeekDay: 1 = Sunday … 7 = Saturday.
    grid = [[0] * 24 for _ in range(7)]
    for source in sources:
        by_dow = (
            source.rows.annotate(dow=source.weekday).values("dow").annotate(**sums(HOURS))
        ).order_by()
        for found in by_dow:
            counts: dict[str, Any] = dict(found)
            weekday = source.monday_first(counts["dow"])
            for h, name in enumerate(HOURS):
                grid[weekday][h] += counts[name] or 0
    days = day_names()
    hours = [f"{h:02d}" for h in range(24)]
    volume = Figure("volume", _("Calls by day of the week and hour"), [_("Day")] + hours)
    links = []
    for d, per_hour in enumerate(grid):
        cell_links: list[str | None] = [
            filters.query(dow=str(d + 1), hour=str(h)) if n else None
            for h, n in enumerate(per_hour)
        ]
        links.append(cell_links)
        volume.add([days[d], *per_hour], [None, *cell_links])
    volume.chart = charts.heatmap(days, hours, grid, links)
    volume.note = _("Hours on the agency's clock, by when the call began.")

    figures = [summary, volume]
    overall = [(_("All calls"), totals)] if calls else []
    figures.append(_times_figure("times", _("Response times"), _("Calls"), overall, filters, None))
    for dim, title, head in (
        ("priority", _("Response times by priority"), _("Priority")),
        ("beat", _("Response times by beat"), _("Beat")),
        ("district", _("Response times by district"), _("District")),
    ):
        ordered = [(key or _("(none)"), by[dim][key]) for key in sorted(by[dim])]
        figures.append(_times_figure(f"times_{dim}", title, head, ordered, filters, dim))
    maps = (
        beats_map(agency, {k: v.get("calls", 0) for k, v in by["beat"].items()}, filters),
        districts_map(agency, {k: v.get("calls", 0) for k, v in by["district"].items()}, filters),
    )
    figures[2:2] = [m for m in maps if m is not None]  # after the day × hour grid
    return Dashboard("calls", _("Calls"), figures)


def beats_map(
    agency: Agency | None, calls_by_beat: dict[str, int], filters: Filters
) -> Figure | None:
    """Calls by beat on the agency's beat shapes (alerts' beats, imported from GeoJSON with
    `porchlight alerts import-beats`); nothing without shapes or for every agency at once."""
    if agency is None:
        return None
    shapes = list(Beat.objects.filter(agency=agency).values_list("code", "geometry"))
    caption = _("Calls by beat: darker beats had more calls.")
    return _area_map("map", _("Map of calls by beat"), _("Beat"), "beat", shapes, calls_by_beat,
                     caption, filters)  # fmt: skip


def districts_map(
    agency: Agency | None, calls_by_district: dict[str, int], filters: Filters
) -> Figure | None:
    """Calls by district on the district shapes uploaded at /console/insights/districts/."""
    if agency is None:
        return None
    caption = _("Calls by district: darker districts had more calls.")
    return _area_map("district_map", _("Map of calls by district"), _("District"), "district",
                     districts.shapes_of(agency), calls_by_district, caption, filters)  # fmt: skip


def _area_map(key: str, title: str, head: str, dim: str, shapes: list[tuple[str, Any]],
              counts: dict[str, int], caption: str, filters: Filters) -> Figure | None:  # fmt: skip
    chart = charts.choropleth(shapes, {k: float(v) for k, v in counts.items()}, caption)
    if chart is None:
        return None
    figure = Figure(key, title, [head, _("Calls")])
    for code, _geometry in sorted(shapes):
        n = counts.get(code, 0)
        figure.add([code, n], [None, filters.query(**{dim: code}) if n else None])
    figure.chart = chart
    figure.note = _unmatched_note(dim, {code for code, _geometry in shapes}, counts)
    return figure


SHOWN_CODES = 5  # codes named in the note; the rest are "…"


def _unmatched_note(dim: str, codes: set[str], counts: dict[str, int]) -> str:
    """Calls whose beat (district) no shape has: without a word, a map whose shapes' codes are
    not the CAD's codes shows every area at zero and nobody knows why."""
    unmatched = sorted(code for code, n in counts.items() if n and code and code not in codes)
    if not unmatched:
        return ""
    calls = sum(counts[code] for code in unmatched)
    named = ", ".join(unmatched[:SHOWN_CODES]) + (", …" if len(unmatched) > SHOWN_CODES else "")
    if dim == "beat":
        text = ngettext(
            "%(calls)s call is in a beat this map has no shape for (%(codes)s). Load beat "
            "shapes whose codes are the CAD's beat codes (porchlight alerts import-beats).",
            "%(calls)s calls are in beats this map has no shape for (%(codes)s). Load beat "
            "shapes whose codes are the CAD's beat codes (porchlight alerts import-beats).",
            calls,
        )
    else:
        text = ngettext(
            "%(calls)s call is in a district this map has no shape for (%(codes)s). Upload "
            "district shapes whose codes are the CAD's district codes (District shapes).",
            "%(calls)s calls are in districts this map has no shape for (%(codes)s). Upload "
            "district shapes whose codes are the CAD's district codes (District shapes).",
            calls,
        )
    return text % {"calls": number_format(calls, force_grouping=True), "codes": named}
