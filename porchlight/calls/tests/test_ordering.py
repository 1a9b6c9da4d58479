from datetime import datetime

import pytest

from porchlight.calls.models import Call, Event
from standins.builders import cad_event

T0 = "2026-11-22T14:00:00-08:00"
T1 = "2026-11-22T14:10:00-08:00"
T2 = "2026-11-22T14:20:00-08:00"
T3 = "2026-11-22T14:40:00-08:00"


def ts(value):
    return datetime.fromisoformat(value)


@pytest.mark.django_db
def test_late_dispatched_after_cleared_never_reopens(send):
    send(
        cad_event(1, status="received", at=T0),
        cad_event(3, status="cleared", at=T3, disposition="RPT"),
    )
    r = send(cad_event(2, status="dispatched", at=T1))
    assert r["results"][0]["result"] == "applied"
    assert "already cleared" in r["results"][0]["reason"]
    call = Call.objects.get()
    assert call.status == "cleared"
    assert call.dispatched_at == ts(T1)  # the late event still fills in its timestamp
    assert Event.objects.count() == 3  # and is logged


@pytest.mark.django_db
def test_batch_out_of_order_applies_in_cad_time_order(send):
    send(
        cad_event(4, status="cleared", at=T3, disposition="GOA"),
        cad_event(2, status="dispatched", at=T1),
        cad_event(1, status="received", at=T0),
        cad_event(3, status="onscene", at=T2),
    )
    call = Call.objects.get()
    assert call.status == "cleared"
    assert (call.received_at, call.dispatched_at, call.onscene_at, call.cleared_at) == (
        ts(T0),
        ts(T1),
        ts(T2),
        ts(T3),
    )
    assert call.first_event_at == ts(T0) and call.last_event_at == ts(T3)
    assert call.disposition == "GOA"


@pytest.mark.django_db
def test_first_event_creates_the_call_whatever_its_status(send):
    r = send(cad_event(7, status="onscene", at=T2))
    assert "created call" in r["results"][0]["reason"]
    call = Call.objects.get()
    assert call.status == "onscene" and call.onscene_at == ts(T2) and call.received_at is None


@pytest.mark.django_db
def test_older_event_does_not_overwrite_newer_fields(send):
    send(
        cad_event(
            2, status="dispatched", at=T1, location={"address": "1600 Truxtun Ave", "beat": "B2"}
        )
    )
    send(
        cad_event(
            1,
            status="received",
            at=T0,
            location={"address": "old address", "beat": "B1", "district": "West"},
        )
    )
    call = Call.objects.get()
    assert call.address == "1600 Truxtun Ave" and call.beat == "B2"
    assert call.district == "West"  # but it fills what was blank


@pytest.mark.django_db
def test_cancelled_call_stays_cancelled(send):
    send(cad_event(1, at=T0), cad_event(2, status="cancelled", at=T1))
    send(cad_event(3, status="cleared", at=T2))
    assert Call.objects.get().status == "cancelled"


@pytest.mark.django_db
def test_status_does_not_move_backward(send):
    send(cad_event(1, status="onscene", at=T1))
    r = send(cad_event(2, status="enroute", at=T2))
    assert "stays on scene" in r["results"][0]["reason"]
    assert Call.objects.get().status == "onscene"


@pytest.mark.django_db
def test_do_not_contact_and_juvenile_are_sticky(send):
    send(
        cad_event(1, at=T0, juvenile=True, caller={"phone": "661-555-0101", "do_not_contact": True})
    )
    send(cad_event(2, status="dispatched", at=T1, caller={"phone": "661-555-0101"}))
    call = Call.objects.get()
    assert call.juvenile and call.do_not_contact
