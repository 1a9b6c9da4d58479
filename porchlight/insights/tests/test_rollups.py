"""The rollups equal a direct computation from the calls, and stay current from the event
log and the delay notices, without the intake transaction doing any of it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db.models import Sum

from porchlight.calls.intake import Feed, ingest
from porchlight.calls.models import Call
from porchlight.insights import buckets, rollups
from porchlight.insights.models import HOURS, CallRollup
from porchlight.insights.tests.fixture import MONDAY, PACIFIC, six_calls
from porchlight.notify.models import Outbox, State, Trigger
from standins.builders import cad_event

pytestmark = pytest.mark.django_db


def direct(agency):
    """The histogram columns, hour columns and counts computed in Python from each call."""
    totals = dict.fromkeys(
        ["calls", "delayed", *HOURS] + [c for m in buckets.METRICS for c in buckets.columns(m)], 0
    )
    for call in Call.objects.filter(agency=agency):
        totals["calls"] += 1
        totals[HOURS[call.first_event_at.astimezone(PACIFIC).hour]] += 1
        notice = Outbox.objects.filter(
            call=call, trigger=Trigger.DELAYED, state__in=(State.SENT, State.DELIVERED)
        )
        totals["delayed"] += notice.exists()
        for metric, (a, b) in buckets.METRICS.items():
            start, end = getattr(call, a), getattr(call, b)
            if start is None or end is None or (metric == "clear" and call.cleared_time_unknown):
                continue
            totals[buckets.column(metric, buckets.index_of((end - start).total_seconds()))] += 1
    return totals


def summed(agency):
    names = ["calls", "delayed", *HOURS] + [c for m in buckets.METRICS for c in buckets.columns(m)]
    return {
        k: v or 0
        for k, v in CallRollup.objects.filter(agency=agency)
        .aggregate(**{n: Sum(n) for n in names})
        .items()
    }


def test_the_rollup_equals_the_direct_computation(agency):
    six_calls(agency)
    assert rollups.rebuild(agency) == 5  # A1 and A2 share a day and all four codes
    assert summed(agency) == direct(agency)


def test_the_rollup_by_hand(agency):
    six_calls(agency)
    rollups.rebuild(agency)
    rows = {r.pk: r for r in CallRollup.objects.all()}
    by_day = {
        d: sum(r.calls for r in rows.values() if r.day == d) for d in {r.day for r in rows.values()}
    }
    # A6 began at 23:30 Pacific on Tuesday (07:30 UTC on Wednesday): it is Tuesday's.
    assert by_day == {date(2026, 11, 16): 3, date(2026, 11, 17): 3}
    totals = summed(agency)
    assert (totals["h08"], totals["h14"], totals["h09"], totals["h23"], totals["h07"]) == (
        2,
        1,
        2,
        1,
        0,
    )
    assert totals["delayed"] == 2  # A1 sent, A3 delivered; A5's was suppressed
    # Received → dispatched: 60 s sits in the first bucket (≤ 1 min), 150 s in ≤ 3 min.
    disp = [totals[c] for c in buckets.columns("disp")]
    assert disp[0] == 1 and disp[buckets.EDGES.index(180)] == 1 and sum(disp) == 5
    # Received → cleared leaves A4 out: its cleared time was not in the export.
    assert sum(totals[c] for c in buckets.columns("clear")) == 4


def test_percentiles_from_the_histogram():
    counts = [0] * buckets.COUNT
    for seconds in (60, 150, 300, 720, 1500):
        counts[buckets.index_of(seconds)] += 1
    assert buckets.percentile(counts, 50) == 300  # third of five
    assert buckets.percentile(counts, 90) == 1800  # fifth of five: 25 min is in ≤ 30 min
    assert buckets.percentile([0] * buckets.COUNT, 50) is None
    assert buckets.percentile([0] * (buckets.COUNT - 1) + [3], 50) == -1
    assert buckets.label(1800) == "≤ 30 min" and buckets.label(5400) == "≤ 1 h 30 min"


def test_refresh_follows_new_events_and_later_delay_notices(agency):
    at = datetime(2026, 11, 16, 9, 0, tzinfo=PACIFIC)
    with time_machine.travel(at, tick=False):
        event = cad_event(
            1, incident="26-1", at=at.isoformat(), location={"beat": "B7", "district": "D3"}
        )
        ingest(Feed(agency, "cad", {agency.ori: agency}), [event])
        # Intake itself wrote no rollup: the worker's job does, afterwards.
        assert not CallRollup.objects.exists()
        assert rollups.refresh() == 1
    row = CallRollup.objects.get()
    assert (row.beat, row.district, row.calls, row.h09, row.delayed) == ("B7", "D3", 1, 1, 0)
    assert sum(getattr(row, c) for c in buckets.columns("disp")) == 0

    later = at + timedelta(minutes=4)
    with time_machine.travel(later, tick=False):
        ingest(
            Feed(agency, "cad", {agency.ori: agency}),
            [cad_event(2, incident="26-1", status="dispatched", at=later.isoformat())],
        )
        rollups.refresh()
    row = CallRollup.objects.get()  # the day was rebuilt, not added to
    assert row.calls == 1 and getattr(row, buckets.column("disp", buckets.EDGES.index(300))) == 1

    # A delay notice sent with no new CAD event still reaches the rollup.
    call = Call.objects.get(incident_number="26-1")
    notice = Outbox.objects.filter(call=call, trigger=Trigger.DELAYED).first()
    if notice is None:
        from porchlight.notify.models import Channel, Contact

        contact = Contact.objects.create(agency=agency, channel=Channel.SMS, address_hash="c" * 64)
        notice = Outbox.objects.create(agency=agency, contact=contact, channel=Channel.SMS, trigger=Trigger.DELAYED,
                                       call=call, dedupe_key="d1", state=State.SCHEDULED, due_at=later)  # fmt: skip
    sent = later + timedelta(minutes=30)
    Outbox.objects.filter(pk=notice.pk).update(state=State.SENT, sent_at=sent)
    with time_machine.travel(sent + timedelta(minutes=2), tick=False):
        assert rollups.refresh() == 1
    assert CallRollup.objects.get().delayed == 1


def test_the_periodic_job_waits_its_turn(agency, settings):
    settings.INSIGHTS_ROLLUP_SECONDS = 60
    six_calls(agency)
    now = MONDAY + timedelta(days=3)
    # No CAD events in the log; the fixture's two sent delay notices (both Monday) dirty a day.
    assert rollups.run("w1", now) == 1
    with time_machine.travel(now, tick=False):
        ingest(
            Feed(agency, "cad", {agency.ori: agency}),
            [cad_event(1, incident="26-9", at=now.isoformat())],
        )
    assert rollups.run("w1", now + timedelta(seconds=30)) == 0  # ran 30 s ago
    assert rollups.run("w1", now + timedelta(seconds=61)) == 1
