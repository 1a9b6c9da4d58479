"""/metrics: the outbox's figures in Prometheus' text format, from the table every worker shares."""

from datetime import timedelta

import pytest
from django.utils import timezone

from porchlight.notify.models import Outbox, State
from porchlight.notify.tests.conftest import received


def rows(call_in, n):
    call_in(
        *[received(i, incident=f"26-{i:06d}", caller={"phone": f"661555{i:04d}"}) for i in range(n)]
    )
    return list(Outbox.objects.order_by("id"))


def metric(text, name):
    return {
        line.split(" ")[0]: float(line.split(" ")[1])
        for line in text.splitlines()
        if line.startswith(name)
    }


TOKEN = "s3cret-token"
AUTH = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN


@pytest.mark.django_db
def test_metrics_count_queued_sent_failures_and_lag(client, call_in, clock, token):
    outbox = rows(call_in, 4)  # four first texts (due now) and four delay notices (later)
    now = timezone.now()
    first = [r for r in outbox if r.trigger == "call.received"]
    Outbox.objects.filter(pk=first[0].pk).update(
        state=State.SENT, sent_at=now - timedelta(seconds=10)
    )
    Outbox.objects.filter(pk=first[1].pk).update(
        state=State.FAILED, error_code="21211", reason="invalid_number"
    )
    Outbox.objects.filter(pk=first[2].pk).update(due_at=now - timedelta(seconds=90))

    response = client.get("/metrics", **AUTH)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    text = response.content.decode()
    queued = metric(text, "porchlight_outbox_queued")
    assert queued['porchlight_outbox_queued{state="planned"}'] == 2
    assert queued['porchlight_outbox_queued{state="scheduled"}'] == 4
    assert metric(text, "porchlight_outbox_due ")["porchlight_outbox_due"] == 2
    assert metric(text, "porchlight_outbox_sent_per_second")[
        "porchlight_outbox_sent_per_second"
    ] == pytest.approx(1 / 60, abs=1e-3)
    assert metric(text, "porchlight_outbox_failures") == {
        'porchlight_outbox_failures{reason="21211"}': 1
    }
    lag = metric(text, "porchlight_worker_lag_seconds")["porchlight_worker_lag_seconds"]
    assert 89 <= lag <= 95  # the row due 90 s ago


@pytest.mark.django_db
def test_metrics_lag_is_zero_when_nothing_waits(client, token):
    text = client.get("/metrics", **AUTH).content.decode()
    assert metric(text, "porchlight_worker_lag_seconds") == {"porchlight_worker_lag_seconds": 0}


@pytest.mark.django_db
def test_metrics_want_the_bearer_token(client, token):
    refused = client.get("/metrics")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"PORCHLIGHT_METRICS_TOKEN" in refused.content
    assert b"porchlight_" not in refused.content
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}x").status_code == 401
    ok = client.get("/metrics", HTTP_AUTHORIZATION=f"bearer {TOKEN}")
    assert ok.status_code == 200
    assert b"porchlight_worker_lag_seconds" in ok.content


@pytest.mark.django_db
def test_metrics_are_off_without_a_token(client, settings):
    # Closed by default: no token configured means no metrics, not open metrics.
    settings.METRICS_TOKEN = ""
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer "}, AUTH):
        response = client.get("/metrics", **headers)
        assert response.status_code == 404
        assert b"porchlight_" not in response.content
        assert b"PORCHLIGHT_METRICS_TOKEN" in response.content
