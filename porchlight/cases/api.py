"""The RMS feed: POST /api/v1/agencies/{slug}/rms/events.

The same key, routing and answer as the CAD feed (calls/api.py): one result per event, 200
whenever the body parses, 4xx only for the request as a whole."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from porchlight.calls.api import _answer, _covered, _key_and_agency, batch_openapi, events_of
from porchlight.calls.intake import Feed
from porchlight.calls.schemas import BatchResult, Error
from porchlight.cases import rms
from porchlight.cases.schemas import EXAMPLE_BATCH

router = Router(tags=["RMS intake"])


@router.post(
    "/agencies/{slug}/rms/events",
    response={200: BatchResult, 400: Error, 401: Error, 403: Error, 404: Error},
    summary="Send RMS case events",
    description=(
        "Send 1–1000 RMS case events, with the same key, idempotency, ordering, quarantine and "
        "routing rules as `/cad/events`. Each event names its case (`case_number`) and may "
        "carry the linked CAD incident numbers, the offense (NIBRS code and description), the "
        "RMS status code, the assigned detective, victims (phone, email, language, opt-in) and "
        "the report's approval and availability (date, fee, how to request it). A status "
        "code the agency has not mapped to a NIBRS term is `rejected` and quarantined, never "
        "guessed; map it and replay the event. Statuses only move forward by `event_time`: "
        "an older event is applied as history (a warning says so). Invalid events are "
        "`rejected` in a 200, never a 4xx."
    ),
    openapi_extra=batch_openapi(
        "One result per event: applied, duplicate, conflict or rejected (with its reason); "
        "`incident_number` holds the event's case number.",
        "RmsEventBatch",
        EXAMPLE_BATCH,
    ),
)
def post_rms_events(request: HttpRequest, slug: str) -> HttpResponse:
    found = _key_and_agency(request, slug)
    if isinstance(found, HttpResponse):
        return found
    key, agency = found
    events = events_of(request)
    if isinstance(events, HttpResponse):
        return events
    feed = Feed(agency=agency, source=key.source, covered=_covered(key, agency, events))
    outcomes, _ = rms.ingest(feed, events)
    return _answer(outcomes)
