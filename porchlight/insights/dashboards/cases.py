"""The cases dashboard: cases opened in the range by their status now, time from opening to a
detective's assignment (percentiles from the same buckets as calls), and the clearance rate
(cleared by arrest or exceptionally, of the cases opened). The call filters keep the cases
linked to a matching call (by incident number)."""

from __future__ import annotations

from django.db.models import Count, Min, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from porchlight.agencies.models import Agency
from porchlight.calls.models import Call
from porchlight.cases.models import Case, EventKind, Term
from porchlight.insights import buckets, charts
from porchlight.insights.figures import Dashboard, Figure, pct
from porchlight.insights.filters import Filters

CLEARED = (
    Term.CLEARED_ARREST, Term.EXCEPTIONAL_A, Term.EXCEPTIONAL_B, Term.EXCEPTIONAL_C,
    Term.EXCEPTIONAL_D, Term.EXCEPTIONAL_E,
)  # fmt: skip
OVER = (*CLEARED, Term.UNFOUNDED, Term.CLOSED)


def cases(agency: Agency | None, filters: Filters) -> QuerySet[Case]:
    qs = Case.objects.filter(filters.window("created", agency))
    if agency is not None:
        qs = qs.filter(agency=agency)
    if filters.dims:
        matching = Call.objects.filter(filters.calls_q())
        if agency is not None:
            matching = matching.filter(agency=agency)
        qs = qs.filter(incidents__incident_number__in=matching.values("incident_number")).distinct()
    return qs


def compute(agency: Agency | None, filters: Filters) -> Dashboard:
    qs = cases(agency, filters)
    terms = {
        row["term"]: row["n"]
        for row in qs.values("term").annotate(n=Count("id", distinct=True)).order_by()
    }
    total = sum(terms.values())
    cleared = sum(terms.get(t, 0) for t in CLEARED)
    still_open = sum(n for t, n in terms.items() if t not in OVER)
    counts = [0] * buckets.COUNT
    assigned = (
        qs.annotate(assigned_at=Min("events__at", filter=Q(events__kind=EventKind.ASSIGNED)))
        .filter(assigned_at__isnull=False)
        .values_list("created", "assigned_at")
    )
    for created, at in assigned:
        if at is not None and at >= created:
            counts[buckets.index_of((at - created).total_seconds())] += 1
    p50, p90 = buckets.percentile(counts, 50), buckets.percentile(counts, 90)

    summary = Figure("summary", _("Summary"), [_("Measure"), _("Value")])
    summary.add([_("Cases opened"), total], [None, filters.query() if total else None])
    summary.add(
        [_("Still open"), still_open], [None, filters.query(open="1") if still_open else None]
    )
    summary.add(
        [pgettext("case", "Cleared"), cleared],
        [None, filters.query(cleared="1") if cleared else None],
    )
    summary.add([_("Clearance rate"), pct(cleared, total)])
    summary.add([_("Assigned to a detective"), sum(counts)],
                [None, filters.query(assigned="1") if sum(counts) else None])  # fmt: skip
    summary.add([_("Time to assignment p50"), buckets.label(p50)])
    summary.add([_("Time to assignment p90"), buckets.label(p90)])

    by_term = Figure("status", _("Cases by status"), [_("Status"), _("Cases")])
    labels = dict(Term.choices)
    items: list[tuple[str, float | None, str, str | None]] = []
    for term in Term.values:
        if terms.get(term):
            link = filters.query(term=term)
            by_term.add([labels[term], terms[term]], [None, link])
            items.append((str(labels[term]), terms[term], str(terms[term]), link))
    if items:
        by_term.chart = charts.bars(items)
        by_term.chart["caption"] = _("cases by status")
    return Dashboard("cases", _("Cases"), [summary, by_term])
