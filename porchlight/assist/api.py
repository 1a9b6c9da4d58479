"""GET /api/v1/agencies/{slug}/assistance-requests: the public transparency log as JSON.

Public, like the page: the same entries (assist/log.py), the coarse area only, counts only.
"""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from porchlight.agencies.models import Agency
from porchlight.assist import log
from porchlight.calls.schemas import Error

router = Router(tags=["Requests for assistance"])


class LogEntry(Schema):
    id: int
    date: date
    area: str
    incident_type: str
    purpose: str
    residents_notified: int
    shares_received: int
    status: str


class LogPage(Schema):
    agency: str
    requests: list[LogEntry]


@router.get(
    "/agencies/{slug}/assistance-requests",
    response={200: LogPage, 400: Error, 404: Error},
    summary="The public log of requests for assistance",
    description=(
        "Every request for assistance past its draft, newest first: the date, a coarse area "
        "(the beats it touches or a neighbourhood, never its centre or radius), the incident "
        "type and purpose, residents notified, shares received and the status. Filters: "
        "`from` and `to` (dates, YYYY-MM-DD, the agency's time zone) and `status` "
        "(pending, sent, rejected, closed, expired)."
    ),
)
def assistance_requests(
    request: HttpRequest,
    slug: str,
    since: str = Query("", alias="from", description="first date, YYYY-MM-DD"),
    until: str = Query("", alias="to", description="last date, YYYY-MM-DD"),
    status: str = Query("", description="pending, sent, rejected, closed or expired"),
) -> Status[dict[str, object]]:
    # The parameters are read as text and checked here, so a bad one is a 400 naming it.
    agency = Agency.objects.filter(slug=slug).first()
    if agency is None:
        return Status(404, {"detail": f"no agency {slug[:60]!r}"})
    try:
        first, last, wanted = log.parse_filters({"from": since, "to": until, "status": status})
    except log.BadFilter as exc:
        return Status(400, {"detail": str(exc)})
    entries = log.entries(agency, first, last, wanted)
    return Status(
        200,
        {
            "agency": agency.slug,
            "requests": [
                {k: v for k, v in e.__dict__.items() if k != "status_label"} for e in entries
            ],
        },
    )
