"""The quarantine keeps at most N rejected events per feed an hour; the rest are counted."""

import pytest

from porchlight.calls.models import Quarantine, QuarantineOverflow
from standins.builders import cad_event, make_key

URL = "/api/v1/agencies/bakersfield/cad/events"


def _post(client, raw, events):
    r = client.post(
        URL, {"events": events}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )  # fmt: skip
    assert r.status_code == 200
    return r.json()


@pytest.mark.django_db
def test_rejects_beyond_the_cap_are_counted_not_kept(client, api_key, settings):
    settings.QUARANTINE_MAX_PER_HOUR = 5
    _, raw = api_key
    bad = [cad_event(i, incident=f"26-{i:06d}", status="NOPE") for i in range(4)]
    body = _post(client, raw, bad)
    assert body["rejected"] == 4 and not any(r["warnings"] for r in body["results"])
    more = [cad_event(i, incident=f"26-{i:06d}", status="NOPE") for i in range(4, 10)]
    more.append(cad_event(99, incident="26-000099"))  # a good one still applies
    body = _post(client, raw, more)
    assert body["rejected"] == 6 and body["applied"] == 1
    # Every sender still hears each reason; the ones not kept say so.
    warned = [r for r in body["results"] if r["warnings"]]
    assert len(warned) == 5
    assert "not kept" in warned[0]["warnings"][0]
    assert Quarantine.objects.count() == 5
    (overflow,) = QuarantineOverflow.objects.all()
    assert overflow.count == 5 and overflow.source == "cad"
    assert '"NOPE"' in overflow.reason
    _post(client, raw, [cad_event(200, incident="26-000200", status="NOPE")])
    assert QuarantineOverflow.objects.get().count == 6


@pytest.mark.django_db
def test_the_cap_is_per_feed(client, agency, api_key, settings):
    settings.QUARANTINE_MAX_PER_HOUR = 2
    _, raw = api_key
    _, other = make_key(agency, source="rms")
    events = [cad_event(i, incident=f"26-{i:06d}", status="NOPE") for i in range(3)]
    _post(client, raw, events)
    _post(client, other, events)
    assert Quarantine.objects.filter(source="cad").count() == 2
    assert Quarantine.objects.filter(source="rms").count() == 2
    assert sum(QuarantineOverflow.objects.values_list("count", flat=True)) == 2


@pytest.mark.django_db
def test_metrics_show_what_was_not_kept(client, api_key, settings):
    settings.QUARANTINE_MAX_PER_HOUR = 1
    _, raw = api_key
    _post(client, raw, [cad_event(i, incident=f"26-{i:06d}", status="NOPE") for i in range(4)])
    settings.METRICS_TOKEN = "metrics-token-for-tests"
    text = client.get(
        "/metrics", HTTP_AUTHORIZATION="Bearer metrics-token-for-tests"
    ).content.decode()
    assert 'porchlight_quarantine_not_kept{source="cad"} 3' in text
    assert "porchlight_quarantine_open 1" in text
