"""Bad input never costs a batch: each bad event is rejected alone, with a reason, on both
engines, and the good events beside it apply."""

from datetime import timedelta

import pytest
from django.utils import timezone

from porchlight.calls.models import Call, Event, Quarantine
from standins.builders import cad_event

URL = "/api/v1/agencies/bakersfield/cad/events"


@pytest.fixture
def post(client, api_key):
    _, raw = api_key

    def post(*events):
        r = client.post(
            URL, {"events": list(events)}, content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )  # fmt: skip
        assert r.status_code == 200, r.content
        return r.json()

    return post


def _soon(hours: float) -> str:
    return (timezone.now() + timedelta(hours=hours)).isoformat()


@pytest.mark.parametrize(
    "event_time, words",
    [
        # Converting this to UTC overflows: it was an OverflowError and a 500 for the batch.
        ("9999-12-31T23:59:59-12:00", "in the future"),
        ("0001-01-01T00:00:00+05:00", "before 1990-01-01"),
        ("1900-01-01T08:15:00-08:00", "before 1990-01-01"),  # a time-only column, read as 1900
        (1_700_000_000, "not a number"),
        (1.5, "not a number"),
        (True, "not a boolean"),
    ],
)
@pytest.mark.django_db
def test_implausible_event_time_is_rejected_alone(post, event_time, words):
    good = cad_event(1, incident="26-000001")
    bad = cad_event(2, incident="26-000002", at="x")
    bad["event_time"] = event_time
    body = post(good, bad)
    assert [r["result"] for r in body["results"]] == ["applied", "rejected"]
    reason = body["results"][1]["reason"]
    assert reason.startswith("event_time: ") and words in reason, reason
    assert Call.objects.get().incident_number == "26-000001"
    assert words in Quarantine.objects.get().reason


@pytest.mark.django_db
def test_the_window_edges(post, settings):
    body = post(
        cad_event(1, incident="A", at=_soon(23)),
        cad_event(2, incident="B", at=_soon(25)),
        cad_event(3, incident="C", at="1990-01-01T00:00:00+00:00"),
    )
    assert [r["result"] for r in body["results"]] == ["applied", "rejected", "applied"]
    settings.CAD_TIME_FUTURE_HOURS = 48
    settings.CAD_TIME_EARLIEST = "2000-01-01"
    body = post(
        cad_event(4, incident="B", at=_soon(25)),
        cad_event(5, incident="D", at="1999-12-31T23:00:00+00:00"),
    )
    assert [r["result"] for r in body["results"]] == ["applied", "rejected"]
    assert "before 2000-01-01" in body["results"][1]["reason"]


@pytest.mark.parametrize(
    "where, field",
    [
        ({"incident_number": "26-\x00001"}, "incident_number"),
        ({"call_type_description": "Burglary\x00"}, "call_type_description"),
        ({"location": {"address": "1501 Truxtun\x00 Ave"}}, "location.address"),
        ({"units": [{"id": "2A14", "officers": [{"id": "P\x00"}]}]}, "units.0.officers.0.id"),
        ({"cad_extra": {"note": "\x00"}}, "cad_extra.note"),  # a field of the CAD's own
        ({"event_id": "evt-\x00"}, "event_id"),
    ],
)
@pytest.mark.django_db
def test_nul_byte_in_any_string_is_rejected_alone(post, where, field):
    good = cad_event(1, incident="26-000001")
    bad = cad_event(2, incident="26-000002", **where)
    body = post(good, bad)
    assert [r["result"] for r in body["results"]] == ["applied", "rejected"]
    assert body["results"][1]["reason"].startswith(f"{field}: contains a NUL byte")
    q = Quarantine.objects.get()
    assert q.raw == bad  # kept whole, encrypted, so it can be read back
    assert "\x00" not in q.event_id + q.incident_number
    assert Event.objects.count() == 1


@pytest.mark.django_db
def test_escaped_backslash_u0000_text_is_not_a_nul(post):
    body = post(cad_event(1, call_type_description="see \\u0000 in the manual"))
    assert body["results"][0]["result"] == "applied"


@pytest.mark.django_db
def test_long_language_tag_is_rejected_not_a_500(post):
    body = post(cad_event(1, caller={"language": "en-abcdefgh"}))
    assert body["results"][0]["result"] == "rejected"
    assert "caller.language" in body["results"][0]["reason"]
