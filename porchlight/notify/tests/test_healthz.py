"""/healthz: up while the database answers; the worker's lag is shown, and "degraded" past the limit."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import DatabaseError
from django.utils import timezone

from porchlight.notify.models import Outbox
from porchlight.notify.tests.conftest import received


@pytest.mark.django_db
def test_healthz_reports_the_outbox_and_worker_lag(client, call_in):
    call_in(received())
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["outbox"]["queued"] == 2  # the first text and the scheduled delay notice
    assert body["outbox"]["due"] == 1
    assert body["worker_lag_seconds"] < 60


@pytest.mark.django_db
def test_healthz_is_degraded_when_the_worker_falls_behind(client, call_in, settings):
    settings.HEALTHZ_MAX_LAG_SECONDS = 300
    call_in(received())
    Outbox.objects.filter(trigger="call.received").update(
        due_at=timezone.now() - timedelta(minutes=10)
    )
    response = client.get("/healthz")
    assert response.status_code == 200  # the web still serves; the workers are behind
    assert response.json()["status"] == "degraded"
    assert response.json()["worker_lag_seconds"] >= 600


@pytest.mark.django_db
def test_healthz_is_503_without_a_database(client):
    with mock.patch(
        "porchlight.notify.metrics.gather", side_effect=DatabaseError("connection refused")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "down", "database": "unavailable"}
