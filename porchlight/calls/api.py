"""The CAD feed: POST /api/v1/agencies/{slug}/cad/events (native events) and
POST /api/v1/agencies/{slug}/cad/eido (NENA EIDO documents, calls/eido.py)."""

from __future__ import annotations

from typing import Any

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Router

from porchlight.agencies.keys import authenticate, presented_key
from porchlight.agencies.models import Agency, ApiKey
from porchlight.calls import eido
from porchlight.calls.intake import APPLIED, CONFLICT, DUPLICATE, REJECTED, Feed, Outcome, ingest
from porchlight.calls.schemas import EXAMPLE_BATCH, EXAMPLE_EIDO, BatchResult, Error

router = Router(tags=["CAD intake"])


def json_response(data: object, status: int = 200) -> HttpResponse:
    return HttpResponse(orjson.dumps(data), status=status, content_type="application/json")


def error(status: int, detail: str) -> HttpResponse:
    return json_response({"detail": detail}, status)


def batch_openapi(result: str, batch_schema: str, example: object) -> dict[str, Any]:
    """The OpenAPI request body and 200 answer of a batch feed (CAD events, RMS events): the
    body is read by `events_of`, not by a ninja schema, so the document names it here."""
    return {
        "responses": {
            "200": {
                "description": result,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/BatchResult"}}
                },
            }
        },
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": f"#/components/schemas/{batch_schema}"},
                    "example": example,
                }
            },
        },
    }


def events_of(request: HttpRequest) -> list[Any] | HttpResponse:
    """The "events" list of a batch body, or the 400 that says what is wrong with the body.

    The body is parsed here rather than by a schema: one bad event must be rejected alone, not
    fail the 999 good ones beside it."""
    try:
        body = orjson.loads(request.body)
    except orjson.JSONDecodeError as exc:
        return error(400, f"body is not valid JSON: {exc}")
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        return error(400, 'body must be a JSON object with an "events" list')
    events: list[Any] = body["events"]
    if not 1 <= len(events) <= settings.INTAKE_MAX_EVENTS:
        return error(
            400, f"send between 1 and {settings.INTAKE_MAX_EVENTS} events; got {len(events)}"
        )
    return events


@router.post(
    "/agencies/{slug}/cad/events",
    response={200: BatchResult, 400: Error, 401: Error, 403: Error, 404: Error},
    summary="Send CAD events",
    description=(
        "Send 1–1000 CAD events in CAD-time order or not. Authenticate with "
        "`Authorization: Bearer <key>` (or `X-API-Key`). Each event gets its own result: "
        "`applied`, `duplicate` (same event id, same content), `conflict` (same event id, "
        "different content; recorded, not applied) or `rejected` (quarantined with the reason; "
        "staff can replay it after fixing the mapping). A consolidated dispatch center sends "
        "events for other agencies its key covers by setting `ori` on each event.\n\n"
        "**A batch is answered 200 whenever its body parses**, with one result per event in "
        "the order sent. Invalid events (a missing field, a time outside the plausible window "
        "of 1990 to a day ahead, a number for `event_time`, a NUL byte in any string) come back "
        "as `rejected` with the reason, and the rest of the batch applies: do not expect a 4xx "
        "for them. 4xx answers are only for the request as a whole: 400 when the body is not "
        "JSON or not 1–1000 events, 401/403/404 for the key and the agency. The quarantine "
        "keeps at most a set number of rejected events per feed an hour (1,000 by default); a "
        "rejected event it did not keep carries a warning saying so."
    ),
    openapi_extra=batch_openapi(
        "One result per event: applied, duplicate, conflict or rejected (with its reason). "
        "Invalid events are `rejected` here, never a 4xx.",
        "CadEventBatch",
        EXAMPLE_BATCH,
    ),
)
def post_events(request: HttpRequest, slug: str) -> HttpResponse:
    found = _key_and_agency(request, slug)
    if isinstance(found, HttpResponse):
        return found
    key, agency = found

    events = events_of(request)
    if isinstance(events, HttpResponse):
        return events
    feed = Feed(agency=agency, source=key.source, covered=_covered(key, agency, events))
    outcomes, _ = ingest(feed, events)
    return _answer(outcomes)


def _key_and_agency(request: HttpRequest, slug: str) -> tuple[ApiKey, Agency] | HttpResponse:
    key = authenticate(presented_key(request))
    if key is None:
        return error(401, "missing or unknown API key")
    agency = key.agency if key.agency.slug == slug else Agency.objects.filter(slug=slug).first()
    if agency is None:
        return error(404, f"no agency '{slug}'")
    if agency != key.agency and not key.also_covers.filter(pk=agency.pk).exists():
        return error(403, f"this API key does not cover agency '{slug}'")
    return key, agency


def _covered(key: ApiKey, agency: Agency, events: list[Any]) -> dict[str, Agency]:
    """ORI -> agency for a batch: the URL's agency, and, only when an event names another ORI,
    every agency the key covers (native events and EIDO documents route the same way)."""
    covered = {agency.ori: agency}
    if any(isinstance(e, dict) and e.get("ori") not in (None, agency.ori) for e in events):
        covered.update((a.ori, a) for a in [key.agency, *key.also_covers.all()])
    return covered


def _answer(outcomes: list[Outcome]) -> HttpResponse:
    counts = {APPLIED: 0, DUPLICATE: 0, CONFLICT: 0, REJECTED: 0}
    for o in outcomes:
        counts[o.result] += 1
    return json_response({**counts, "results": [o.as_dict() for o in outcomes]})


@router.post(
    "/agencies/{slug}/cad/eido",
    response={200: BatchResult, 400: Error, 401: Error, 403: Error, 404: Error},
    summary="Send NENA EIDO documents",
    description=(
        "Send one NENA EIDO (Emergency Incident Data Object, NENA-STA-021) document, or a list "
        "of 1–1000, with the same key, idempotency, ordering, quarantine and routing rules as "
        "`/cad/events` (one result per document, in order; invalid documents are `rejected` in "
        "a 200). Porchlight takes the incident (`incidentTrackingIdentifier`), its type, "
        "priority and status (`incidentComponent`, through the agency's priority and status "
        "codes), the caller's callback `tel:` URI, a civic address or point from the PIDF-LO "
        "`locationByValue` (read with defusedxml: no DTDs, entities or external references), "
        "and `LastUpdateTimeStamp` (or `lastUpdateTimeStamp`) as the event time. A document "
        "without the incident, its status or the time is quarantined with a reason naming the "
        "missing field. The same document sent twice is a duplicate."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            {"type": "object", "description": "one EIDO document"},
                            {
                                "type": "array",
                                "items": {"type": "object"},
                                "minItems": 1,
                                "maxItems": 1000,
                            },
                        ]
                    },
                    "example": EXAMPLE_EIDO,
                }
            },
        },
        "responses": {
            "200": {
                "description": (
                    "One result per document: applied, duplicate, conflict or rejected (with "
                    "its reason). Invalid documents are `rejected` here, never a 4xx."
                ),
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/BatchResult"}}
                },
            }
        },
    },
)
def post_eido(request: HttpRequest, slug: str) -> HttpResponse:
    found = _key_and_agency(request, slug)
    if isinstance(found, HttpResponse):
        return found
    key, agency = found
    try:
        body = orjson.loads(request.body)
    except orjson.JSONDecodeError as exc:
        return error(400, f"body is not valid JSON: {exc}")
    docs = body if isinstance(body, list) else [body]
    if not 1 <= len(docs) <= settings.INTAKE_MAX_EVENTS:
        return error(
            400, f"send between 1 and {settings.INTAKE_MAX_EVENTS} documents; got {len(docs)}"
        )
    items: list[Any] = []
    refused: list[str | None] = []
    notes: list[list[str]] = []
    for doc in docs:
        try:
            event, warnings = eido.to_event(doc)
        except eido.Missing as exc:
            items.append(doc)  # quarantined whole, as it came
            refused.append(str(exc))
            notes.append([])
            continue
        items.append(event)
        refused.append(None)
        notes.append(warnings)
    # Routed by ORI exactly as native events are (calls/eido.py says where the ORI comes from).
    feed = Feed(agency=agency, source=key.source, covered=_covered(key, agency, items))
    outcomes, _ = ingest(feed, items, refused=refused)
    for outcome in outcomes:
        outcome.warnings = notes[outcome.index] + outcome.warnings
        if outcome.incident_number is None and refused[outcome.index]:
            outcome.incident_number = eido.incident_of(docs[outcome.index])
    return _answer(outcomes)
