"""The quarantine detail's advice follows from why the event was held, not from its fields."""

from __future__ import annotations

import pytest

from porchlight.agencies.models import StatusCode
from porchlight.calls.models import Quarantine
from standins.builders import cad_event


def _detail(client, item, lang="en"):
    return client.get(f"/console/quarantine/{item.pk}/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()


@pytest.mark.django_db
def test_an_empty_event_id_is_not_told_to_map_its_status(staff_client, send):
    # Its status is unknown as well: the old page looked at that and gave the wrong advice.
    send(cad_event(1, event_id="", status="DISP"))
    item = Quarantine.objects.get()
    assert item.reason.startswith("event_id: ")

    page = _detail(staff_client(), item)

    assert "status-codes/new" not in page and "not mapped to a Porchlight status" not in page
    assert "incomplete or malformed" in page


@pytest.mark.django_db
def test_an_unknown_status_is_told_to_map_it_and_then_to_replay(staff_client, send, agency):
    send(cad_event(1, status="DISP"))
    item = Quarantine.objects.get()
    client = staff_client()
    assert "/console/status-codes/new/?code=DISP" in _detail(client, item)

    StatusCode.objects.create(agency=agency, code="DISP", status="dispatched")
    page = _detail(client, item)
    assert "status-codes/new" not in page and "is mapped now" in page


@pytest.mark.django_db
def test_a_reused_event_id_is_told_to_send_a_new_one(staff_client, send):
    send(cad_event(1))
    send(cad_event(1, incident="26-000099"))
    item = Quarantine.objects.get()
    page = _detail(staff_client(), item)
    assert "reused an event id" in page and "status-codes/new" not in page


@pytest.mark.django_db
def test_the_reason_and_the_advice_read_in_spanish(staff_client, send):
    send(cad_event(1, event_id="", status="DISP"))
    page = _detail(staff_client(), Quarantine.objects.get(), lang="es")
    assert "El evento no es válido: event_id" in page
    assert "incompleto o mal formado" in page and "incomplete or malformed" not in page


@pytest.mark.django_db
def test_a_resolved_item_gets_no_advice(staff_client, send):
    send(cad_event(1, event_id="", status="DISP"))
    item = Quarantine.objects.get()
    item.state = Quarantine.State.DISCARDED
    item.save()
    assert "How to fix it" not in _detail(staff_client(), item)
