"""/healthz and /metrics: for load balancers, uptime checks and Prometheus.

/healthz answers 200 while the database answers, and 503 when it does not: a web process that
cannot reach its database should leave the load balancer's rotation. A worker that has fallen
behind does not take the web out of rotation; /healthz says "degraded" and shows the lag.
/metrics is closed by default: it answers only with PORCHLIGHT_METRICS_TOKEN set, and then only
to that bearer token. Unset, it is off (404): queue depths and failure reasons are not for the
public, and an operator who wants them says so.
"""

from __future__ import annotations

import hmac
import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from porchlight.notify import metrics

log = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        figures = metrics.gather()
    except DatabaseError as exc:
        log.error("healthz: database unavailable: %s", exc)
        return JsonResponse({"status": "down", "database": "unavailable"}, status=503)
    degraded = figures.lag_seconds > settings.HEALTHZ_MAX_LAG_SECONDS
    body = {
        "status": "degraded" if degraded else "ok",
        "database": "ok",
        "outbox": {
            "queued": figures.queued_total,
            "queued_by_state": figures.queued,
            "due": figures.due,
            "sent_per_second": round(figures.sent_per_second, 3),
            "failures_24h": figures.failures,
        },
        "worker_lag_seconds": round(figures.lag_seconds, 3),
        "worker_lag_limit_seconds": settings.HEALTHZ_MAX_LAG_SECONDS,
    }
    return JsonResponse(body, json_dumps_params={"indent": 2})


@never_cache
@require_GET
def prometheus(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    if not token:
        return HttpResponse(
            "metrics are off: set PORCHLIGHT_METRICS_TOKEN to turn them on\n",
            status=404,
            content_type="text/plain",
        )
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), token.encode()
    ):
        return HttpResponse(
            "metrics need the bearer token (PORCHLIGHT_METRICS_TOKEN)\n",
            status=401,
            content_type="text/plain",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    try:
        text = metrics.prometheus(metrics.gather())
    except DatabaseError as exc:
        log.error("metrics: database unavailable: %s", exc)
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse(text, content_type="text/plain; version=0.0.4; charset=utf-8")
