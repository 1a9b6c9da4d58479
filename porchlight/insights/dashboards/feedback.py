"""The feedback dashboard: response rate, CSAT and NPS (computed by feedback/measures.py, the
same functions as the Feedback page), CSAT by week, the same figures by beat, district, call
type, officer and shift, comment themes, open follow-ups and commendations."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from porchlight.agencies.models import Agency
from porchlight.alerts.models import Beat
from porchlight.feedback import measures
from porchlight.feedback.models import Answer, Commendation, FollowUp
from porchlight.formats import labels as date_labels
from porchlight.insights import charts, districts
from porchlight.insights.figures import Dashboard, Figure, pct
from porchlight.insights.filters import Filters

# Each breakdown: its key, the invitation field it groups by, and the rows-page parameter.
BREAKDOWNS = (
    ("beat", "beat", "beat"),
    ("district", "district", "district"),
    ("call_type", "call_type", "call_type"),
    ("officer", "officers__name", None),
    ("shift", "shift__name", None),
)


def measures_filters(filters: Filters) -> measures.Filters:
    return measures.Filters(
        beat=filters.beat, district=filters.district, call_type=filters.call_type,
        priority=filters.priority, since=filters.since, until=filters.until,
    )  # fmt: skip


def answers(agency: Agency | None, filters: Filters) -> QuerySet[Answer]:
    invitations = measures_filters(filters).invitations(agency)
    return Answer.objects.filter(
        response__invitation__in=invitations.values("pk"), response__submitted_at__isnull=False
    )


def _breakdown(agency: Agency | None, filters: Filters, key: str, field: str, param: str | None,
               title: str, head: str) -> tuple[Figure, dict[str, float]]:  # fmt: skip
    figure = Figure(f"by_{key}", title, [head, _("CSAT answers"), "CSAT", _("NPS answers"), "NPS"])
    path = f"response__invitation__{field}"
    rated = answers(agency, filters)
    csat = (
        measures.overall_ratings(rated).values(path).annotate(**measures.CSAT_COUNTS).order_by(path)
    )
    nps = measures.nps_ratings(rated).values(path).annotate(**measures.NPS_COUNTS).order_by(path)
    groups: dict[Any, dict[str, int]] = {}
    for row in csat:
        groups.setdefault(row[path], {}).update(csat_n=row["n"], happy=row["happy"])
    for row in nps:
        groups.setdefault(row[path], {}).update(
            nps_n=row["n"], net=row["promoters"] - row["detractors"]
        )
    csat_of: dict[str, float] = {}
    for value in sorted(groups, key=lambda v: str(v or "")):
        g = groups[value]
        if g.get("csat_n"):
            csat_of[str(value)] = 100 * g.get("happy", 0) / g["csat_n"]
        csat_n, nps_n = g.get("csat_n", 0), g.get("nps_n", 0)
        nps_value = f"{100 * g['net'] / nps_n:.1f}" if nps_n else "–"
        link = filters.query(**{param: str(value)}) if param and value else None
        figure.add(
            [value or _("(none)"), csat_n, pct(g.get("happy", 0), csat_n), nps_n, nps_value],
            [None, link, None, None, None],
        )
    return figure, csat_of


def compute(agency: Agency | None, filters: Filters) -> Dashboard:
    figures_of = measures.compute(agency, measures_filters(filters))
    # On each row's agency's clock (the all-agency view mixes time zones), as the figures.
    window = filters.window("created", agency)
    follow_ups = FollowUp.objects.filter(window)
    commendations = Commendation.objects.filter(window)
    if agency is not None:
        follow_ups = follow_ups.filter(agency=agency)
        commendations = commendations.filter(agency=agency)
    if filters.beat:
        follow_ups = follow_ups.filter(beat=filters.beat)
        commendations = commendations.filter(response__invitation__beat=filters.beat)
    for name in ("district", "call_type", "priority"):
        if getattr(filters, name):
            follow_ups = follow_ups.filter(
                **{f"response__invitation__{name}": getattr(filters, name)}
            )
            commendations = commendations.filter(
                **{f"response__invitation__{name}": getattr(filters, name)}
            )
    still_open = follow_ups.exclude(status=FollowUp.Status.RESOLVED).count()

    summary = Figure("summary", _("Summary"), [_("Measure"), _("Value")])
    summary.add([_("Invitations sent"), figures_of.invited])
    summary.add(
        [_("Responses"), figures_of.responded],
        [None, filters.query() if figures_of.responded else None],
    )
    summary.add([_("Response rate"), "–" if figures_of.rate is None else f"{figures_of.rate:.1f}%"])
    summary.add(
        [_("CSAT (4–5 overall)"), "–" if figures_of.csat is None else f"{figures_of.csat:.1f}%"]
    )
    summary.add([_("CSAT answers"), figures_of.csat_answers])
    summary.add(["NPS", "–" if figures_of.nps is None else f"{figures_of.nps:.1f}"])
    summary.add([_("NPS answers"), figures_of.nps_answers])
    summary.add([_("Follow-ups not resolved"), still_open])
    summary.add([_("Commendations"), commendations.count()])

    weekly = Figure("weekly", _("CSAT by week"), [_("Week of"), "CSAT", _("Answers")])
    for week, value, n in figures_of.weekly:
        weekly.add([date_labels.day(week), "–" if value is None else f"{value:.1f}%", n])
    weekly.chart = {"kind": "weekly", **measures.chart(figures_of.weekly)}
    weekly.note = _("The last eight weeks, whatever the date range.")

    figures = [summary, weekly]
    heads = {
        "beat": (_("CSAT and NPS by beat"), _("Beat")),
        "district": (_("CSAT and NPS by district"), _("District")),
        "call_type": (_("CSAT and NPS by call type"), _("Call type")),
        "officer": (_("CSAT and NPS by officer"), _("Officer")),
        "shift": (_("CSAT and NPS by shift"), _("Shift")),
    }
    for key, field, param in BREAKDOWNS:
        title, head = heads[key]
        figure, csat_of = _breakdown(agency, filters, key, field, param, title, head)
        figures.append(figure)
        if key == "beat" and agency is not None:
            shapes = list(Beat.objects.filter(agency=agency).values_list("code", "geometry"))
            chart = charts.choropleth(
                shapes, csat_of, _("CSAT by beat: darker beats had more satisfied callers.")
            )
            if chart is not None:
                figure.chart = chart
        if key == "district" and agency is not None:
            chart = charts.choropleth(
                districts.shapes_of(agency), csat_of,
                _("CSAT by district: darker districts had more satisfied callers."),
            )  # fmt: skip
            if chart is not None:
                figure.chart = chart

    themes = Figure("themes", _("Themes in comments"), [_("Theme"), _("Comments")])
    for name, n in figures_of.themes:
        themes.add([name, n])
    status = Figure("follow_ups", _("Follow-ups by status"), [_("Status"), _("Follow-ups")])
    labels = dict(FollowUp.Status.choices)
    for row in follow_ups.values("status").annotate(n=Count("id")).order_by("status"):
        status.add([labels.get(row["status"], row["status"]), row["n"]])
    praised = Figure(
        "commendations", _("Commendations by officer"), [_("Officer"), _("Commendations")]
    )
    for praise in (
        commendations.values("officer__name", "officer__badge")
        .annotate(n=Count("id"))
        .order_by("-n", "officer__name")
    ):
        praised.add([praise["officer__name"] or praise["officer__badge"], praise["n"]])
    figures += [themes, status, praised]
    return Dashboard("feedback", _("Feedback"), figures)
