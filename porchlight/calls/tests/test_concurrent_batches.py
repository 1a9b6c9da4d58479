"""Several feeds writing the same calls at once: every event applied once, no errors."""

import pytest

from porchlight.calls.intake import APPLIED, DUPLICATE, Feed, ingest
from porchlight.calls.models import Call, Event
from porchlight.notify.models import Contact
from standins.builders import at_once, cad_event, make_agency

STATUSES = ["received", "dispatched", "enroute", "onscene", "cleared"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_on_the_same_new_calls():
    agency = make_agency()
    feed = Feed(agency=agency, source="cad", covered={agency.ori: agency})
    incidents = [f"26-{n:05d}" for n in range(30)]
    results: list[str] = []

    def worker(step: int) -> None:
        # Each thread sends one status for every incident, plus one event every thread sends.
        events = [
            cad_event(
                step * 1000 + i,
                incident=number,
                status=STATUSES[step],
                at=f"2026-11-22T14:{10 + step:02d}:00-08:00",
                caller={"phone": f"661555{i:04d}"},
            )
            for i, number in enumerate(incidents)
        ]
        events.append(
            cad_event(
                99999, incident=incidents[0], status="received", at="2026-11-22T14:00:00-08:00"
            )
        )
        outcomes, _ = ingest(feed, events)
        results.extend(o.result for o in outcomes)

    at_once(worker, range(5))
    assert results.count(APPLIED) == 5 * 30 + 1
    assert results.count(DUPLICATE) == 4
    assert Call.objects.count() == 30
    assert Event.objects.count() == 5 * 30 + 1
    assert Contact.objects.count() == 30
    assert set(Call.objects.values_list("status", flat=True)) == {"cleared"}
    assert not Call.objects.filter(dispatched_at__isnull=True).exists()
