import pytest

from porchlight.calls.intake import Feed, ingest
from standins.builders import cad_event

PHONE = "661-555-0142"


@pytest.fixture
def feed(agency):
    return Feed(agency=agency, source="cad", covered={agency.ori: agency})


@pytest.fixture
def call_in(feed):
    """Send CAD events for one incident; returns the outcomes."""

    def send(*events, historical=False):
        f = Feed(
            agency=feed.agency, source=feed.source, covered=feed.covered, historical=historical
        )
        outcomes, _ = ingest(f, list(events))
        return outcomes

    return send


def received(n=1, incident="26-000001", at="2026-11-22T14:14:00-08:00", **extra):
    extra.setdefault("caller", {"phone": PHONE, "language": "en"})
    return cad_event(n, incident=incident, status="received", at=at, **extra)


@pytest.fixture(autouse=True)
def clock():
    """Five minutes after the test calls come in (14:14 Pacific on 22 November 2026)."""
    import time_machine

    with time_machine.travel("2026-11-22T14:19:00-08:00", tick=True) as traveller:
        yield traveller
