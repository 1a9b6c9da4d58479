"""POST /api/v1/agencies/{slug}/cad/events: the CAD feed."""

from __future__ import annotations

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Router

from porchlight.agencies.keys import authenticate, presented_key
from porchlight.agencies.models import Agency
from porchlight.calls.intake import APPLIED, CONFLICT, DUPLICATE, REJECTED, Feed, ingest
from porchlight.calls.schemas import EXAMPLE_BATCH, BatchResult, Error

router = Router(tags=["CAD intake"])


def json_response(data: object, status: int = 200) -> HttpResponse:
    return HttpResponse(orjson.dumps(data), status=status, content_type="application/json")


def error(status: int, detail: str) -> HttpResponse:
    return json_response({"detail": detail}, status)


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
    openapi_extra={
        "responses": {
            "200": {
                "description": (
                    "One result per event: applied, duplicate, conflict or rejected (with its "
                    "reason). Invalid events are `rejected` here, never a 4xx."
                ),
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/BatchResult"}}
                },
            }
        },
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/CadEventBatch"},
                    "example": EXAMPLE_BATCH,
                }
            },
        },
    },
)
def post_events(request: HttpRequest, slug: str) -> HttpResponse:
    key = authenticate(presented_key(request))
    if key is None:
        return error(401, "missing or unknown API key")
    agency = key.agency if key.agency.slug == slug else Agency.objects.filter(slug=slug).first()
    if agency is None:
        return error(404, f"no agency '{slug}'")
    if agency != key.agency and not key.also_covers.filter(pk=agency.pk).exists():
        return error(403, f"this API key does not cover agency '{slug}'")

    # The body is parsed here rather than by a schema: one bad event must be rejected alone,
    # not fail the 999 good ones beside it.
    try:
        body = orjson.loads(request.body)
    except orjson.JSONDecodeError as exc:
        return error(400, f"body is not valid JSON: {exc}")
    if not isinstance(body, dict) or not isinstance(body.get("events"), list):
        return error(400, 'body must be a JSON object with an "events" list')
    events = body["events"]
    if not 1 <= len(events) <= settings.INTAKE_MAX_EVENTS:
        return error(
            400, f"send between 1 and {settings.INTAKE_MAX_EVENTS} events; got {len(events)}"
        )

    covered = {agency.ori: agency}
    # Other agencies a consolidated feed covers are looked up only when an event names one.
    if any(isinstance(e, dict) and e.get("ori") not in (None, agency.ori) for e in events):
        covered.update((a.ori, a) for a in [key.agency, *key.also_covers.all()])
    feed = Feed(agency=agency, source=key.source, covered=covered)
    outcomes, _ = ingest(feed, events)
    counts = {APPLIED: 0, DUPLICATE: 0, CONFLICT: 0, REJECTED: 0}
    for o in outcomes:
        counts[o.result] += 1
    return json_response({**counts, "results": [o.as_dict() for o in outcomes]})
