"""Call types keep their full text: real CAD labels run to 40-100 characters."""

import pytest

from porchlight.calls.models import Call, CallType
from standins.builders import cad_event

LONG = "SUSPICIOUS PERSON, VEHICLE OR INCIDENT - REPORTED BY CALLER AT A BUSINESS OR RESIDENCE"


@pytest.mark.django_db
def test_a_long_call_type_is_stored_whole(send):
    r = send(
        cad_event(1, call_type=LONG, call_type_description=LONG.title(), disposition="X" * 150)
    )
    assert r["results"][0]["result"] == "applied", r
    ct = CallType.objects.get(code=LONG)
    assert ct.code == LONG and len(LONG) > 80
    call = Call.objects.get()
    assert call.call_type == ct and call.disposition == "X" * 150


@pytest.mark.django_db
def test_two_hundred_characters_fit_and_more_is_rejected_with_a_reason(send):
    r = send(cad_event(1, call_type="A" * 200), cad_event(2, incident="B", call_type="A" * 201))
    assert [x["result"] for x in r["results"]] == ["applied", "rejected"]
    assert "call_type" in r["results"][1]["reason"] and "200" in r["results"][1]["reason"]


@pytest.mark.django_db
def test_console_shortens_long_labels_only_in_its_table(send, staff_client):
    send(cad_event(1, call_type=LONG))
    client = staff_client("admin")
    page = client.get("/console/call-types/").content.decode()
    assert f'title="{LONG}"' in page  # whole on hover
    assert LONG[:39] + "…" in page
    edit = client.get(f"/console/call-types/{CallType.objects.get(code=LONG).pk}/").content.decode()
    assert LONG in edit
