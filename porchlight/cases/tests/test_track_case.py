"""The track page shows the case after the call's timeline: in the agency's words, with the
detective's contact, the report-copy steps (Family Code 6228 for DV in California) and rights;
never the offense, the NIBRS reason or a note's text."""

import copy

import pytest

from porchlight.calls.intake import Feed
from porchlight.calls.tests.test_track_timeline import text_of
from porchlight.calls.tests.track_calls import INCIDENT, path_of, whole_call
from porchlight.calls.track import link_for
from porchlight.cases import rms
from porchlight.cases.models import Case, CaseEvent, EventKind
from porchlight.cases.schemas import EXAMPLE_BATCH


def rms_events(agency, *changes):
    events = []
    for n, change in enumerate(changes, start=1):
        ev = copy.deepcopy(EXAMPLE_BATCH["events"][0])
        ev.update(event_id=f"rms-{n}", incident_numbers=[INCIDENT], **change)
        events.append(ev)
    outcomes, _ = rms.ingest(
        Feed(agency=agency, source="rms", covered={agency.ori: agency}), events
    )
    assert all(o.result == "applied" for o in outcomes), outcomes


@pytest.mark.django_db
def test_the_case_follows_the_call(client, agency, statuses):
    call = whole_call(agency)
    path = path_of(link_for(call))
    assert "Case " not in text_of(client.get(path).content.decode())
    rms_events(agency, {}, {"status": "EXA", "event_time": "2026-11-23T10:00:00-08:00"})
    case = Case.objects.get()
    CaseEvent.objects.create(case=case, kind=EventKind.NOTE, public=True, text="Secret note words")
    text = text_of(client.get(path).content.decode())
    assert f"Case {case.number}" in text
    assert "Your case has been cleared and is now closed." in text
    assert "Det. Maria Lopez, Property Crimes" in text and "661-555-0142" in text
    assert "Records counter, 1601 Truxtun Ave" in text and "$15.00" in text
    assert "Marsy" in text
    for never in ("death", "offender", "Theft", "23F", "Secret note", "exceptional"):
        assert never not in text, never
    es = text_of(client.get(path + "?lang=es").content.decode())
    assert f"Caso {case.number}" in es and "Su caso fue esclarecido y ya está cerrado." in es


@pytest.mark.django_db
def test_a_dv_case_in_california_shows_the_free_copy(client, agency, statuses):
    call = whole_call(agency)
    rms_events(agency, {"domestic_violence": True})
    text = text_of(client.get(path_of(link_for(call))).content.decode())
    assert "Family Code 6228" in text and "Fee: free" in text
