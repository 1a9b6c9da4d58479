"""The period report: one printable page for a chosen period (a pilot's months, a quarter) for
command staff and the city council. Every number comes from the dashboards' own compute
functions (and so from the same rollups and feedback measures as the screens), run once for
the period and once for the period of the same length just before it; nothing here queries
the calls, messages or answers a second way.

Headline figures are read back from each dashboard's summary figure by its label, so a
renamed line fails the tests here rather than silently showing "–"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from porchlight.agencies.models import Agency
from porchlight.feedback import measures
from porchlight.feedback.models import Commendation
from porchlight.feedback.redact import redact
from porchlight.formats import labels as date_labels
from porchlight.insights import buckets, charts
from porchlight.insights.dashboards import calls, feedback, messages
from porchlight.insights.figures import Dashboard, Figure
from porchlight.insights.filters import Filters
from porchlight.insights.filters import today as today_of

NO_DATA = "–"
QUOTES = 3
QUOTE_LENGTH = 300
# Weeks for a period up to a quarter, months beyond (a pilot's year is twelve points).
WEEKLY_UP_TO_DAYS = 92


# How a headline's change is worded: counts change by a share, rates and scores by points,
# response times (bucket labels such as "≤ 5 min") are shown beside the previous value only.
COUNT, RATE, SCORE, TIME = "count", "rate", "score", "time"


@dataclass
class Headline:
    label: str
    kind: str
    now: str
    before: str
    change: str = ""


@dataclass
class Section:
    key: str
    title: str
    headlines: list[Headline] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)


@dataclass
class Report:
    agency: Agency | None
    filters: Filters
    previous: Filters
    generated: datetime
    sections: list[Section]
    quotes: list[tuple[str, str]]

    @property
    def headlines(self) -> list[Headline]:
        return [h for s in self.sections for h in s.headlines]


def _number(value: str) -> float | None:
    text = value.strip().rstrip("%").strip()
    try:
        return float(text)
    except ValueError:
        return None


def _plain(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def change(kind: str, now: str, before: str, had_data: bool) -> str:
    """The change from the previous period in plain words: "up 12% from 340", "down 3.5
    points from 71.0%", "no data" when the previous period had none."""
    if not had_data or before == NO_DATA:
        return _("no data")
    if kind == TIME or _number(now) is None or _number(before) is None:
        if now == before:
            return _("same as before (%(before)s)") % {"before": before}
        return _("was %(before)s") % {"before": before}
    a, b = _number(now), _number(before)
    assert a is not None and b is not None
    if a == b:
        return _("no change from %(before)s") % {"before": before}
    if kind == COUNT:
        if b == 0:
            return _("up from 0")
        share = round(100 * abs(a - b) / b)
        words = {"share": share, "before": before}
        if a > b:
            return _("up %(share)s%% from %(before)s") % words
        return _("down %(share)s%% from %(before)s") % words
    points = {"points": _plain(round(abs(a - b), 1)), "before": before}
    if a > b:
        return _("up %(points)s points from %(before)s") % points
    return _("down %(points)s points from %(before)s") % points


def _value(board: Dashboard, label: str) -> str:
    for row in board.figure("summary").rows:
        if row[0] == label:
            return row[1]
    raise KeyError(label)


def _headlines(now: Dashboard, then: Dashboard, had_data: bool,
               lines: list[tuple[str, str]]) -> list[Headline]:  # fmt: skip
    out = []
    for label, kind in lines:
        a, b = _value(now, label), _value(then, label)
        out.append(
            Headline(label, kind, a, b if had_data else NO_DATA, change(kind, a, b, had_data))
        )
    return out


def _count(board: Dashboard, label: str) -> int:
    return int(_number(_value(board, label)) or 0)


def _columns(source: Figure, key: str, title: str, keep: list[int]) -> Figure:
    out = Figure(key, title, [source.columns[i] for i in keep])
    for row in source.rows:
        out.add([row[i] for i in keep])
    return out


def _bars(figure: Figure, caption: str) -> Figure:
    if figure.rows:
        figure.chart = charts.bars([(r[0], _number(r[1]) or 0.0, r[1], None) for r in figure.rows])
        figure.chart["caption"] = caption
    return figure


def _maps(board: Dashboard, key: str) -> list[Figure]:
    """The dashboard's district map (drawn on the server as SVG, so the PDF has it too), when
    the agency has district shapes (insights/districts.py): else nothing, not an empty map."""
    found = [f for f in board.figures if f.key == key]
    return [f for f in found if f.chart is not None and f.chart.get("kind") == "map"]


def _slices(filters: Filters) -> list[tuple[str, Filters]]:
    """The period cut into weeks (Monday to Sunday) or calendar months, the first and last
    clipped to the period."""
    out = []
    weekly = (filters.until - filters.since).days < WEEKLY_UP_TO_DAYS
    start = filters.since
    while start <= filters.until:
        if weekly:
            end = start + timedelta(days=6 - start.weekday())
        else:
            nxt = date(start.year + start.month // 12, start.month % 12 + 1, 1)
            end = nxt - timedelta(days=1)
        end = min(end, filters.until)
        # A week by the date it starts, in the page's language ("Nov. 9, 2026", "9 de
        # noviembre de 2026"): numbers alone read month/day to one reader, day/month to another.
        label = date_labels.day(start) if weekly else start.strftime("%Y-%m")
        out.append((label, Filters(since=start, until=end)))
        start = end + timedelta(days=1)
    return out


def trend(agency: Agency | None, filters: Filters) -> Figure:
    """CSAT and NPS for each week (or month) of the period, from feedback/measures.py, the
    function behind the Feedback page and the summary above."""
    weekly = (filters.until - filters.since).days < WEEKLY_UP_TO_DAYS
    figure = Figure(
        "trend",
        _("CSAT and NPS by week") if weekly else _("CSAT and NPS by month"),
        [_("Week of") if weekly else _("Month"), "CSAT", _("CSAT answers"), "NPS",
         _("NPS answers")],
    )  # fmt: skip
    points: list[tuple[str, float | None, float | None]] = []
    for label, part in _slices(filters):
        f = measures.compute(agency, feedback.measures_filters(part))
        figure.add(
            [label, NO_DATA if f.csat is None else f"{f.csat:.1f}%", f.csat_answers,
             NO_DATA if f.nps is None else f"{f.nps:.1f}", f.nps_answers]
        )  # fmt: skip
        # The chart's axis has room for "Nov 9" ("9 nov" in Spanish), not the whole date.
        points.append((date_labels.short_day(part.since) if weekly else label, f.csat, f.nps))
    if any(c is not None or n is not None for _l, c, n in points):
        figure.chart = lines(points)
    figure.note = _("Solid line and circles: CSAT (%). Dashed line and squares: NPS (−100 to 100).")
    return figure


def lines(points: list[tuple[str, float | None, float | None]]) -> dict[str, Any]:
    """Two lines on one scale from −100 to 100: CSAT (0–100) solid with circles, NPS dashed
    with squares, so they read apart in black and white."""
    width, height, left, top, bottom = 560, 220, 40, 12, 40
    plot = height - top - bottom
    # The last point stands 30 units in from the right edge: its label ("30 nov") is centred
    # on it and must not be cut off.
    step = (width - left - 40) / max(len(points) - 1, 1)

    def y(value: float) -> float:
        return round(top + plot * (100 - value) / 200, 1)

    csat, nps, ticks = [], [], []
    every = max(1, len(points) // 8)
    for i, (label, c, n) in enumerate(points):
        x = round(left + 10 + i * step, 1)
        if c is not None:
            csat.append({"x": x, "y": y(c), "value": _plain(c)})
        if n is not None:
            nps.append({"x": x, "y": y(n), "value": _plain(n)})
        if i % every == 0:
            ticks.append({"x": x, "label": label})
    return {
        "kind": "lines",
        "width": width,
        "height": height,
        "left": left,
        "axis": [{"y": y(v), "label": str(v)} for v in (100, 50, 0, -50, -100)],
        "labels": ticks,
        "label_y": height - bottom + 18,
        "csat": csat,
        "nps": nps,
        "csat_path": " ".join(f"{p['x']},{p['y']}" for p in csat),
        "nps_path": " ".join(f"{p['x']},{p['y']}" for p in nps),
    }


def quotes(agency: Agency | None, filters: Filters) -> list[tuple[str, str]]:
    """A few recent praise texts with the officer's name. No caller is named: commendations
    carry no caller identity, and phone numbers and emails typed into the text are hidden."""
    qs = Commendation.objects.filter(filters.window("created", agency)).exclude(text="")
    if agency is not None:
        qs = qs.filter(agency=agency)
    out = []
    for officer, badge, text in qs.order_by("-created").values_list(
        "officer__name", "officer__badge", "text"
    )[:QUOTES]:
        shown = redact(" ".join(text.split()))
        if len(shown) > QUOTE_LENGTH:
            shown = shown[: QUOTE_LENGTH - 1].rstrip() + "…"
        out.append((officer or badge, shown))
    return out


def build(agency: Agency | None, filters: Filters) -> Report:
    before = filters.previous()
    c_now, c_then = calls.compute(agency, filters), calls.compute(agency, before)
    m_now, m_then = messages.compute(agency, filters), messages.compute(agency, before)
    f_now, f_then = feedback.compute(agency, filters), feedback.compute(agency, before)
    had_calls = _count(c_then, _("Calls")) > 0
    had_messages = _count(m_then, _("Messages")) > 0
    had_invites = _count(f_then, _("Invitations sent")) > 0
    had_feedback = had_invites or _count(f_then, _("CSAT answers")) > 0

    volumes = Section("volumes", _("Volumes"))
    volumes.headlines = _headlines(c_now, c_then, had_calls, [(_("Calls"), COUNT)])
    grid = c_now.figure("volume")
    by_day = Figure("by_day", _("Calls by day of the week"), [_("Day"), _("Calls")])
    for row in grid.rows:
        by_day.add([row[0], sum(int(v) for v in row[1:])])
    priorities = _columns(c_now.figure("times_priority"), "by_priority",
                          _("Calls by priority"), [0, 1])  # fmt: skip
    volumes.figures = [_bars(by_day, _("calls by day of the week")),
                       _bars(priorities, _("calls by priority")),
                       *_maps(c_now, "district_map")]  # fmt: skip

    times = Section("times", _("Response times"))
    names = calls.metric_names()
    times.headlines = _headlines(c_now, c_then, had_calls, [
        (f"{names[m]} p{p}", TIME) for m in buckets.METRICS for p in calls.PERCENTILES
    ])  # fmt: skip
    by_priority = c_now.figure("times_priority")
    keep = [0, 1] + [i for i, c in enumerate(by_priority.columns) if c.endswith((" p50", " p90"))]
    times.figures = [_columns(by_priority, "times_priority", by_priority.title, keep)]
    times.figures[0].note = _(
        "Percentiles: half of the calls took no longer than p50, nine in ten no longer than p90."
    )

    delays = Section("delays", _("Delay notices"))
    delays.headlines = _headlines(c_now, c_then, had_calls, [
        (_("Calls with a delay notice"), COUNT), (_("Share with a delay notice"), RATE),
    ])  # fmt: skip

    texts = Section("messages", _("Messages and opt-outs"))
    texts.headlines = _headlines(m_now, m_then, had_messages, [
        (_("Messages"), COUNT), (_("Sent (accepted by the provider)"), COUNT),
        (_("Delivered (confirmed)"), COUNT), (_("Failed"), COUNT), (_("Opt-outs"), COUNT),
    ])  # fmt: skip
    texts.figures = [m_now.figure("failures")]

    surveys = Section("surveys", _("Survey response rate"))
    surveys.headlines = _headlines(f_now, f_then, had_invites, [
        (_("Invitations sent"), COUNT), (_("Responses"), COUNT), (_("Response rate"), RATE),
    ])  # fmt: skip

    satisfaction = Section("satisfaction", _("CSAT and NPS"))
    satisfaction.headlines = _headlines(f_now, f_then, had_feedback, [
        (_("CSAT (4–5 overall)"), RATE), (_("CSAT answers"), COUNT), ("NPS", SCORE),
        (_("NPS answers"), COUNT),
    ])  # fmt: skip
    satisfaction.figures = [trend(agency, filters), *_maps(f_now, "by_district")]

    themes = Section("themes", _("Comment themes"))
    themes.figures = [_bars(f_now.figure("themes"), _("comments by theme"))]

    praise = Section("commendations", _("Commendations"))
    praise.headlines = _headlines(f_now, f_then, had_feedback, [(_("Commendations"), COUNT)])
    praise.figures = [f_now.figure("commendations")]

    return Report(
        agency=agency,
        filters=filters,
        previous=before,
        generated=timezone.now(),
        sections=[volumes, times, delays, texts, surveys, satisfaction, themes, praise],
        quotes=quotes(agency, filters),
    )


def shortcuts(agency: Agency | None, today: date | None = None) -> list[tuple[str, Filters]]:
    """The periods offered as links: the last 30 days, last month, last quarter, the last
    three and six full months (a pilot's months), and since the agency started. Counted
    from today on the agency's clock (across agencies, the latest: filters.today)."""
    if today is None:
        today = today_of(agency)
    first_of_month = today.replace(day=1)
    last_month_end = first_of_month - timedelta(days=1)

    def months_back(n: int) -> date:
        month = first_of_month.month - n
        year = first_of_month.year + (month - 1) // 12
        return date(year, (month - 1) % 12 + 1, 1)

    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last_quarter_end = quarter_start - timedelta(days=1)
    last_quarter_start = date(last_quarter_end.year, last_quarter_end.month - 2, 1)
    out = [
        (_("Last 30 days"), Filters(since=today - timedelta(days=29), until=today)),
        (_("Last month"), Filters(since=months_back(1), until=last_month_end)),
        (_("Last quarter"), Filters(since=last_quarter_start, until=last_quarter_end)),
        (_("Last three full months"), Filters(since=months_back(3), until=last_month_end)),
        (_("Last six full months"), Filters(since=months_back(6), until=last_month_end)),
    ]
    if agency is not None:
        started = timezone.localtime(agency.created, agency.tz).date()
        if started <= today:
            out.append((_("Since the agency started"), Filters(since=started, until=today)))
    return out
