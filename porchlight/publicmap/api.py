"""GET /api/v1/map/incidents: the public map's incidents as GeoJSON (RFC 7946).

Public and unauthenticated, like the map page: it only ever holds what the map shows. The
query string is read here, not by a ninja schema, so every bad parameter gets a 400 naming
it and why; the OpenAPI document still lists every parameter (`PARAMETERS`).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from ninja import Router

from porchlight.agencies.models import Agency
from porchlight.calls.schemas import Error
from porchlight.publicmap import answers, geojson, query
from porchlight.publicmap.models import Category, Kind
from porchlight.publicmap.schemas import FeatureCollection

router = Router(tags=["Public map"])

DEFAULT_DAYS = 30
MAX_DAYS = 366
GEOJSON = "application/geo+json"


class BadRequest(ValueError):
    pass


def _float(params: Any, name: str) -> float:
    raw = params.get(name, "")
    try:
        value = float(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a number, not {raw[:40]!r}") from None
    if not math.isfinite(value):
        raise BadRequest(f"{name} must be a finite number")
    return value


def _time(params: Any, name: str) -> datetime | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw)
        if value is None and (day := parse_date(raw)) is not None:
            value = datetime(day.year, day.month, day.day)
    except ValueError:
        value = None
    if value is None:
        raise BadRequest(f"{name} must be an ISO 8601 date or date-time, not {raw[:40]!r}")
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return value


def area(params: Any) -> query.Circle | query.Box:
    """The area asked for: `bbox`, or `lat`+`lon`+`radius` (miles), not both."""
    has_bbox = bool(params.get("bbox"))
    has_point = any(params.get(n) for n in ("lat", "lon", "radius"))
    if has_bbox == has_point:
        raise BadRequest("give either bbox=west,south,east,north or lat, lon and radius")
    if has_bbox:
        parts = params["bbox"].split(",")
        if len(parts) != 4:
            raise BadRequest("bbox must be four numbers: west,south,east,north")
        try:
            west, south, east, north = (float(p) for p in parts)
        except ValueError:
            raise BadRequest("bbox must be four numbers: west,south,east,north") from None
        if not all(query.valid_point(lat, lon) for lat, lon in ((south, west), (north, east))):
            raise BadRequest("bbox is outside -180..180 longitude or -90..90 latitude")
        if south > north or west > east:
            raise BadRequest("bbox must be west,south,east,north with south ≤ north, west ≤ east")
        if north - south > query.MAX_BOX_DEGREES or east - west > query.MAX_BOX_DEGREES:
            raise BadRequest(f"bbox may span at most {query.MAX_BOX_DEGREES:g}° each way")
        return query.Box(west=west, south=south, east=east, north=north)
    for name in ("lat", "lon", "radius"):
        if not params.get(name):
            raise BadRequest(f"{name} is required with lat, lon and radius")
    lat, lon, miles = _float(params, "lat"), _float(params, "lon"), _float(params, "radius")
    if not query.valid_point(lat, lon):
        raise BadRequest("lat must be within -90..90 and lon within -180..180")
    if not 0 < miles <= query.MAX_MILES:
        raise BadRequest(f"radius must be more than 0 and at most {query.MAX_MILES:g} miles")
    return query.Circle(lat, lon, miles)


def window(params: Any, now: datetime) -> tuple[datetime, datetime]:
    until = _time(params, "until") or now
    since = _time(params, "since") or until - timedelta(days=DEFAULT_DAYS)
    if since >= until:
        raise BadRequest("since must be before until")
    if until - since > timedelta(days=MAX_DAYS):
        raise BadRequest(f"since and until may be at most {MAX_DAYS} days apart")
    return since, until


def _limit(params: Any) -> int:
    raw = params.get("limit", "")
    if not raw:
        return query.DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= query.MAX_LIMIT:
        raise BadRequest(f"limit must be a whole number from 1 to {query.MAX_LIMIT}")
    return int(raw)


def feature(incident: query.Incident, slugs: dict[int, str]) -> dict[str, Any]:
    block = query.block_label(incident.block_number, incident.street)
    return {
        "type": "Feature",
        "id": incident.id,
        # RFC 7946: longitude first. Already moved off the block; never the source's point.
        "geometry": {"type": "Point", "coordinates": [incident.lon, incident.lat]},
        "properties": {
            "category": incident.category,
            "category_label": str(Category(incident.category).label),
            "kind": incident.kind,
            "kind_label": str(Kind(incident.kind).label),
            "block": block,
            "occurred_at": incident.occurred_at.isoformat(),
            "agency": slugs.get(incident.agency_id, ""),
        },
    }


PARAMETERS = [
    {"in": "query", "name": "bbox", "schema": {"type": "string"}, "example": "-119.06,35.36,-119.0,35.40",
     "description": "west,south,east,north in degrees (RFC 7946 order), at most 1° each way. Or use lat, lon and radius."},
    {"in": "query", "name": "lat", "schema": {"type": "number"}, "description": "Centre latitude, with lon and radius."},
    {"in": "query", "name": "lon", "schema": {"type": "number"}, "description": "Centre longitude."},
    {"in": "query", "name": "radius", "schema": {"type": "number", "exclusiveMinimum": 0, "maximum": 10},
     "description": "Miles from the centre (over 0, at most 10), measured to each incident's public point."},
    {"in": "query", "name": "since", "schema": {"type": "string", "format": "date-time"},
     "description": "Only incidents after this time (ISO 8601; default: 30 days before until)."},
    {"in": "query", "name": "until", "schema": {"type": "string", "format": "date-time"},
     "description": "Only incidents at or before this time (default: now). At most 366 days after since."},
    {"in": "query", "name": "category", "schema": {"type": "string"}, "example": "theft,burglary",
     "description": "Comma-separated public categories: " + ", ".join(Category.values) + "."},
    {"in": "query", "name": "agency", "schema": {"type": "string"}, "description": "One agency's slug; default: every agency."},
    {"in": "query", "name": "lang", "schema": {"type": "string", "enum": ["en", "es"]},
     "description": "Language of the *_label and block texts (default: from Accept-Language; never from a cookie)."},
    {"in": "query", "name": "limit", "schema": {"type": "integer", "minimum": 1, "maximum": query.MAX_LIMIT},
     "description": f"At most this many features, newest first (default {query.DEFAULT_LIMIT}); `truncated` says when more matched."},
]  # fmt: skip


@router.get(
    "/map/incidents",
    response={200: FeatureCollection, 400: Error, 404: Error},
    summary="Public map incidents (GeoJSON)",
    description=(
        "The incidents the public map shows, as an RFC 7946 FeatureCollection "
        "(`application/geo+json`), newest first. Each point is the hundred block moved a fixed "
        "40–120 m, never an address; sensitive types are never published; CAD calls are "
        "`kind: call` (calls for service: reports, not findings), RMS offenses `kind: offense`. "
        "An incident appears after the agency's publication delay (1 hour by default). "
        "Ask by `bbox` or by `lat`, `lon` and `radius`; a bad parameter is a 400 that names it. "
        "Answers carry an `ETag` (send it back in `If-None-Match` for a 304) and "
        "`Cache-Control: public, max-age=60`: an answer without `until` may be up to a minute "
        "old, but never shows an incident withdrawn since."
    ),
    openapi_extra={
        "parameters": PARAMETERS,
        "responses": {
            "200": {
                "description": "A FeatureCollection of Point features.",
                "content": {
                    GEOJSON: {"schema": {"$ref": "#/components/schemas/FeatureCollection"}}
                },
            }
        },
    },
)
def map_incidents(request: HttpRequest) -> HttpResponse:
    params = request.GET
    try:
        where = area(params)
        since, until = window(params, timezone.now())
        categories = query.parse_categories(params.get("category", "")) or None
        limit = _limit(params)
    except (BadRequest, ValueError) as exc:
        return _json({"detail": str(exc)}, 400, "application/json")
    slug = params.get("agency", "")
    language = _language(request)
    # The question, normalised: what makes one answer's bytes. A window end not given is
    # "now": an answer kept for a repeat view is then up to its max-age (60 s) old, as any
    # browser or proxy may already serve it.
    question = (
        where,
        since.isoformat() if params.get("since", "").strip() else None,
        until.isoformat() if params.get("until", "").strip() else None,
        tuple(sorted(categories or ())),
        slug,
        limit,
        language,
    )
    # The generation first, the rows after: an answer is never older than its key.
    generation = answers.generation()
    cache_key = None if generation is None else answers.key(generation, question)
    answer = None if cache_key is None else answers.cached(cache_key)
    if answer is None:
        agency_id = None
        if slug:
            found = Agency.objects.filter(slug=slug).values_list("pk", flat=True).first()
            if found is None:
                return _json({"detail": f"no agency {slug[:60]!r}"}, 404, "application/json")
            agency_id = found
        with translation.override(language):
            body = _body(where, since, until, categories, agency_id, slug, limit)
        answer = answers.keep(cache_key, body)
    response: HttpResponse
    if answers.matches(request.headers.get("If-None-Match", ""), answer.etag):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(answer.body, status=200, content_type=GEOJSON)
    response["ETag"] = answer.etag
    # Public data, a minute old at worst: let caches and browsers share it.
    response["Cache-Control"] = "public, max-age=60"
    return response


def _body(
    where: query.Circle | query.Box,
    since: datetime,
    until: datetime,
    categories: set[str] | None,
    agency_id: int | None,
    slug: str,
    limit: int,
) -> bytes:
    """The FeatureCollection's bytes, labels in the active language."""
    tail = {
        # Foreign members (RFC 7946 §6.1): how to read the answer.
        "truncated": False,
        "since": since.isoformat(),
        "until": until.isoformat(),
    }
    if geojson.supported():
        # PostgreSQL writes each feature's JSON itself (publicmap/geojson.py: the same
        # bytes as below, without a Python object per row).
        texts, tail["truncated"] = geojson.features(
            where, since, until, categories=categories, agency_id=agency_id, limit=limit
        )
        return b"".join(
            (
                b'{"type":"FeatureCollection","features":[',
                ",".join(texts).encode(),
                b"],",
                orjson.dumps(tail)[1:],
            )
        )
    slugs = {agency_id: slug} if agency_id else dict(Agency.objects.values_list("pk", "slug"))
    found_incidents, tail["truncated"] = query.incidents(
        where, since, until, categories=categories, agency_id=agency_id, limit=limit
    )
    features = [feature(i, slugs) for i in found_incidents]
    return orjson.dumps({"type": "FeatureCollection", "features": features, **tail})


def _language(request: HttpRequest) -> str:
    """The labels' language: ?lang= when it names one of ours, else Accept-Language's choice.

    Never the language cookie LocaleMiddleware also reads: the answer must not depend on any
    cookie, so it carries no `Vary: Cookie` and a shared cache may give anyone the answer it
    gave someone else (the map page always sends ?lang=)."""
    wanted = request.GET.get("lang", "")
    if wanted in dict(settings.LANGUAGES):
        return wanted
    headers_only = SimpleNamespace(COOKIES={}, META=request.META)
    return translation.get_language_from_request(headers_only)  # type: ignore[arg-type]


def _json(data: object, status: int, content_type: str) -> HttpResponse:
    return HttpResponse(orjson.dumps(data), status=status, content_type=content_type)
