"""The feedback figures: response rate, CSAT, NPS and per-question averages, with filters.

- Response rate: submitted responses over invitations that were sent (their message went:
  sent or delivered), in the window.
- CSAT: the share of "overall" ratings that are 4 or 5.
- NPS: where a 0–10 "would you recommend" question is asked, the share of 9–10 minus the
  share of 0–6, in points.
- Per-question averages: every rating (1–5) and 0–10 question, with how many answered.
Filters (all optional, combined): beat, district, call type, priority, officer, shift and a
date range on the agency's clock. Everything is a handful of aggregate queries; nothing is
read row by row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from porchlight.agencies.models import Agency
from porchlight.feedback.models import About, Answer, Invitation, Kind, Question, Theme
from porchlight.feedback.roster import safe_date
from porchlight.formats import labels as date_labels
from porchlight.insights.filters import any_of, clocks, days_between, today
from porchlight.notify.models import State

FILTERS = ("beat", "district", "call_type", "priority", "officer", "shift")


@dataclass
class Filters:
    beat: str = ""
    district: str = ""
    call_type: str = ""
    priority: str = ""
    officer: int | None = None
    shift: int | None = None
    since: date | None = None
    until: date | None = None

    @classmethod
    def from_query(cls, query: Any) -> Filters:
        def number(name: str) -> int | None:
            raw = str(query.get(name, "")).strip()
            return int(raw) if raw.isdigit() and len(raw) < 12 else None

        return cls(
            beat=str(query.get("beat", "")).strip()[:32],
            district=str(query.get("district", "")).strip()[:32],
            call_type=str(query.get("call_type", "")).strip()[:200],
            priority=str(query.get("priority", "")).strip()[:16],
            officer=number("officer"),
            shift=number("shift"),
            since=safe_date(str(query.get("since", ""))),
            until=safe_date(str(query.get("until", ""))),
        )

    def invitations(self, agency: Agency | None) -> QuerySet[Invitation]:
        qs = Invitation.objects.all()
        if agency is not None:
            qs = qs.filter(agency=agency)
        for name in ("beat", "district", "call_type", "priority"):
            value = getattr(self, name)
            if value:
                qs = qs.filter(**{f"{name}__iexact": value})
        if self.officer is not None:
            qs = qs.filter(officers__id=self.officer)
        if self.shift is not None:
            qs = qs.filter(shift_id=self.shift)
        if self.since is not None or self.until is not None:
            # On each invitation's agency's clock: across agencies (a platform superuser's
            # view) one range per time zone in use, never the server's.
            qs = qs.filter(
                any_of(
                    [
                        which & days_between("created", tz, self.since, self.until)
                        for which, tz in clocks(agency)
                    ]
                )
            )
        return qs.distinct() if self.officer is not None else qs


# What CSAT and NPS count, in one place: for the Feedback page and the insights dashboard's
# breakdowns (by beat, district, officer, …), which aggregate the same per group.
CSAT_COUNTS = {"n": Count("id"), "happy": Count("id", filter=Q(number__gte=4))}
NPS_COUNTS = {
    "n": Count("id"),
    "promoters": Count("id", filter=Q(number__gte=9)),
    "detractors": Count("id", filter=Q(number__lte=6)),
}


def overall_ratings(answers: QuerySet[Answer]) -> QuerySet[Answer]:
    """The answers CSAT counts: the overall 1–5 rating, answered."""
    return answers.filter(
        question__kind=Kind.RATING, question__about=About.OVERALL, number__isnull=False
    )


def nps_ratings(answers: QuerySet[Answer]) -> QuerySet[Answer]:
    """The answers NPS counts: the 0–10 "would you recommend", answered."""
    return answers.filter(question__kind=Kind.NPS, number__isnull=False)


@dataclass
class QuestionFigure:
    question: Question
    average: float | None
    answered: int
    # How many questions the row holds: across agencies, those worded alike (per_question).
    questions: int = 1


@dataclass
class Figures:
    invited: int = 0
    responded: int = 0
    rate: float | None = None
    csat: float | None = None
    csat_answers: int = 0
    nps: float | None = None
    nps_answers: int = 0
    questions: list[QuestionFigure] = field(default_factory=list)
    weekly: list[tuple[date, float | None, int]] = field(default_factory=list)
    # Comments per theme (a comment may have several), most first.
    themes: list[tuple[str, int]] = field(default_factory=list)
    # The all-agency view: "questions" has one row per wording, not per agency's question.
    across_agencies: bool = False


def compute(agency: Agency | None, filters: Filters) -> Figures:
    invitations = filters.invitations(agency)
    sent = invitations.filter(outbox__state__in=(State.SENT, State.DELIVERED))
    ids = invitations.values("pk")
    submitted = Answer.objects.filter(
        response__invitation__in=ids, response__submitted_at__isnull=False
    )
    figures = Figures(
        invited=sent.count(),
        responded=invitations.filter(response__submitted_at__isnull=False).count(),
    )
    if figures.invited:
        figures.rate = round(100 * figures.responded / figures.invited, 1)

    overall = overall_ratings(submitted).aggregate(**CSAT_COUNTS)
    figures.csat_answers = overall["n"]
    if overall["n"]:
        figures.csat = round(100 * overall["happy"] / overall["n"], 1)

    nps = nps_ratings(submitted).aggregate(**NPS_COUNTS)
    figures.nps_answers = nps["n"]
    if nps["n"]:
        figures.nps = round(100 * (nps["promoters"] - nps["detractors"]) / nps["n"], 1)

    per = (
        submitted.filter(question__kind__in=(Kind.RATING, Kind.NPS), number__isnull=False)
        .values("question")
        .annotate(total=Sum("number"), n=Count("id"))
    )
    figures.across_agencies = agency is None
    figures.questions = per_question(
        {row["question"]: (row["total"], row["n"]) for row in per}, figures.across_agencies
    )

    figures.weekly = weekly_csat(agency, submitted)
    counts: dict[str, int] = dict.fromkeys(Theme.values, 0)
    for tags in submitted.exclude(text="").values_list("themes", flat=True):
        for tag in tags or []:
            if tag in counts:
                counts[tag] += 1
    labels = dict(Theme.choices)
    figures.themes = [
        (str(labels[t]), n) for t, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n
    ]
    return figures


def per_question(counts: dict[int, tuple[int, int]], across: bool) -> list[QuestionFigure]:
    """A row per question from its answers' (sum, count), in survey order. Across agencies
    (`across`), every agency's copy of the default survey asks the same question: the
    questions worded alike (the same English text and kind) are one row, their sums and counts
    added, so its average is over all their answers, weighted by each one's count (never an
    average of averages). An agency's own view keeps a row per question."""
    rows: dict[tuple[str, str] | int, QuestionFigure] = {}
    sums: dict[tuple[str, str] | int, int] = {}
    for q in Question.objects.filter(pk__in=counts).order_by("survey", "position", "id"):
        total, n = counts[q.pk]
        key: tuple[str, str] | int = (q.text_en, q.kind) if across else q.pk
        if key in rows:
            rows[key].answered += n
            rows[key].questions += 1
        else:
            rows[key] = QuestionFigure(q, None, n)
        sums[key] = sums.get(key, 0) + total
    for which, row in rows.items():
        row.average = round(sums[which] / row.answered, 2) if row.answered else None
    return list(rows.values())


def weekly_csat(
    agency: Agency | None, submitted: QuerySet[Answer], weeks: int = 8
) -> list[tuple[date, float | None, int]]:
    """CSAT for each of the last `weeks` weeks (Monday to Sunday, the agency's clock), oldest
    first: the chart on the page. Across agencies each answer falls in its week on its own
    agency's clock, and the last week is the one of the latest today on any of them."""
    last = today(agency)
    monday = last - timedelta(days=last.weekday())
    first = monday - timedelta(weeks=weeks - 1)
    via = "response__invitation__agency"
    rows = (
        overall_ratings(submitted)
        .filter(
            any_of(
                [
                    which & days_between("response__submitted_at", tz, first, None)
                    for which, tz in clocks(agency, via)
                ]
            )
        )
        .values_list("response__submitted_at", "number", f"{via}__time_zone")
    )
    counts: dict[date, list[int]] = {}
    for at, number, zone_name in rows:
        day = timezone.localtime(at, ZoneInfo(zone_name)).date()
        week = day - timedelta(days=day.weekday())
        tally = counts.setdefault(week, [0, 0])
        tally[0] += 1
        tally[1] += int(number is not None and number >= 4)
    out = []
    for i in range(weeks):
        week = first + timedelta(weeks=i)
        n, happy = counts.get(week, [0, 0])
        out.append((week, round(100 * happy / n, 1) if n else None, n))
    return out


def chart(weekly: list[tuple[date, float | None, int]]) -> dict[str, Any]:
    """Bars for the weekly CSAT, as numbers the template draws in SVG (no script needed).
    The labels' size is set by the stylesheets and grows as the chart narrows (a phone), so
    the margins leave room for the largest (24 units) and the templates place the labels in
    ems from the bars and the axis. A week's label is its first day in the page's language,
    on two lines ("Oct" over "12", "12" over "oct") so that neighbours never run together."""
    width, height, top, bottom = 560, 228, 30, 64
    slot = width / max(len(weekly), 1)
    bars = []
    for i, (week, value, n) in enumerate(weekly):
        h = (height - top - bottom) * (value or 0) / 100
        label = date_labels.short_day(week)
        bars.append(
            {
                "x": round(i * slot + slot * 0.15, 1),
                "w": round(slot * 0.7, 1),
                "y": round(height - bottom - h, 1),
                "h": round(h, 1),
                "label": label,
                "lines": label.split(" ", 1),
                "value": value,
                "n": n,
                "cx": round(i * slot + slot / 2, 1),
            }
        )
    return {"width": width, "height": height, "base": height - bottom, "bars": bars}
