"""Mapping pages: call types, priority codes and CAD status codes."""

import pytest
from django.test import Client

from porchlight.agencies.models import PriorityCode, StatusCode
from porchlight.agencies.tests.conftest import make_user, sign_in
from porchlight.audit.models import AuditEntry
from porchlight.calls.models import Call, CallType, Quarantine
from standins.builders import cad_event


@pytest.fixture
def flagged(send):
    """Three calls flagged for mapping: new type only, new type and new priority, new priority only."""
    send(
        cad_event(1, incident="26-1", call_type="LOIT", call_type_description="Loitering"),
        cad_event(
            2, incident="26-2", call_type="LOIT", call_type_description="Loitering", priority="7X"
        ),
        cad_event(3, incident="26-3", priority="7X"),
    )
    assert Call.objects.filter(needs_mapping=True).count() == 3


@pytest.mark.django_db
def test_reviewing_a_call_type_clears_the_calls_that_only_needed_it(staff_client, flagged, agency):
    ct = CallType.objects.get(agency=agency, code="LOIT")
    client = staff_client("admin")
    assert "LOIT" in client.get("/console/call-types/").content.decode()

    r = client.post(
        f"/console/call-types/{ct.pk}/",
        {"description": "Loitering", "sensitive": "", "reviewed": "on"},
    )

    assert r.status_code == 302
    ct.refresh_from_db()
    assert not ct.needs_mapping and not ct.sensitive
    assert dict(Call.objects.values_list("incident_number", "needs_mapping")) == {
        "26-1": False,
        "26-2": True,
        "26-3": True,
    }
    entry = AuditEntry.objects.get(action="call_type.map")
    assert entry.changes == {"needs_mapping": [True, False], "calls_cleared": 1}
    assert (
        f"/console/call-types/{ct.pk}/" not in client.get("/console/call-types/").content.decode()
    )


@pytest.mark.django_db
def test_saving_a_call_type_without_reviewing_it_keeps_it_flagged(staff_client, flagged, agency):
    ct = CallType.objects.get(agency=agency, code="LOIT")
    staff_client("admin").post(
        f"/console/call-types/{ct.pk}/", {"description": "Loitering (PC 647h)", "sensitive": "on"}
    )
    ct.refresh_from_db()
    assert ct.needs_mapping and ct.sensitive and ct.description == "Loitering (PC 647h)"
    assert Call.objects.filter(needs_mapping=True).count() == 3
    assert AuditEntry.objects.get(action="call_type.map").changes["sensitive"] == [False, True]


@pytest.mark.django_db
def test_ranking_a_priority_code_clears_calls_whose_type_is_mapped(staff_client, flagged, agency):
    code = PriorityCode.objects.get(agency=agency, code="7X")
    client = staff_client("admin")
    assert "No rank" in client.get("/console/priority-codes/").content.decode()

    client.post(f"/console/priority-codes/{code.pk}/", {"rank": "3", "label": "Routine"})

    code.refresh_from_db()
    assert code.rank == 3
    assert dict(Call.objects.values_list("incident_number", "needs_mapping")) == {
        "26-1": True,
        "26-2": True,
        "26-3": False,
    }
    assert AuditEntry.objects.get(action="priority_code.map").changes == {
        "rank": [None, 3],
        "label": ["", "Routine"],
        "calls_cleared": 1,
    }


@pytest.mark.django_db
def test_a_rank_is_required_and_bounded(staff_client, flagged, agency):
    code = PriorityCode.objects.get(agency=agency, code="7X")
    client = staff_client("admin")
    for bad in ("", "0", "12", "high"):
        r = client.post(f"/console/priority-codes/{code.pk}/", {"rank": bad})
        assert r.status_code == 400, bad
    code.refresh_from_db()
    assert code.rank is None


@pytest.mark.django_db
def test_adding_a_status_code_then_replaying_the_items_it_affects(staff_client, send, agency):
    send(
        cad_event(1, incident="26-1", status="DISP"),
        cad_event(2, incident="26-2", status="DISP"),
        cad_event(3, incident="26-3", status="ARV"),
    )
    client = staff_client("admin")
    form = client.get("/console/status-codes/new/?code=DISP").content.decode()
    assert 'value="DISP"' in form

    r = client.post(
        "/console/status-codes/new/", {"code": "DISP", "status": "dispatched"}, follow=True
    )

    sc = StatusCode.objects.get(agency=agency)
    assert (sc.code, sc.status) == ("DISP", "dispatched")
    page = r.content.decode()
    assert "2 open quarantine items carry this code." in page
    assert AuditEntry.objects.get(action="status_code.add").changes == {
        "code": ["", "DISP"],
        "status": ["", "dispatched"],
    }

    ids = list(
        Quarantine.objects.filter(event_id__in=["evt-000001", "evt-000002"]).values_list(
            "pk", flat=True
        )
    )
    r = client.post(
        "/console/quarantine/replay/",
        {"ids": ids, "next": f"/console/status-codes/{sc.pk}/"},
        follow=True,
    )
    assert "2 events replayed and resolved." in r.content.decode()
    assert "No open quarantine items carry this code." in r.content.decode()
    assert Quarantine.objects.get(state="open").event_id == "evt-000003"


@pytest.mark.django_db
def test_editing_a_status_code_is_audited(staff_client, agency):
    sc = StatusCode.objects.create(agency=agency, code="ARV", status="enroute")
    staff_client("admin").post(
        f"/console/status-codes/{sc.pk}/", {"code": "ARV", "status": "onscene"}
    )
    sc.refresh_from_db()
    assert sc.status == "onscene"
    assert AuditEntry.objects.get(action="status_code.edit").changes == {
        "status": ["enroute", "onscene"]
    }


@pytest.mark.parametrize(
    "code, status, error",
    [
        ("ARV", "onscene", "already maps"),
        ("arv", "onscene", "already maps"),
        ("cleared", "cleared", "own statuses"),
        ("CLR", "finished", "Select a valid choice"),
        ("", "cleared", "This field is required"),
    ],
)
@pytest.mark.django_db
def test_bad_status_codes_are_refused_with_a_reason(staff_client, agency, code, status, error):
    StatusCode.objects.create(agency=agency, code="ARV", status="onscene")
    r = staff_client("admin").post("/console/status-codes/new/", {"code": code, "status": status})
    assert r.status_code == 400
    assert error in r.content.decode()
    assert StatusCode.objects.count() == 1


@pytest.mark.django_db
def test_the_admin_applies_the_same_rule(flagged, agency):
    """Reviewing a type or ranking a priority in the Django admin clears calls like the console."""
    _, secret = make_user("ada", agency=agency, role="admin")
    client = Client()
    assert sign_in(client, "ada", secret).status_code == 302
    ct = CallType.objects.get(agency=agency, code="LOIT")
    r = client.post(
        f"/admin/calls/calltype/{ct.pk}/change/",
        {"agency": agency.pk, "code": "LOIT", "description": "Loitering", "sensitive": ""},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert dict(Call.objects.values_list("incident_number", "needs_mapping")) == {
        "26-1": False,
        "26-2": True,
        "26-3": True,
    }

    code = PriorityCode.objects.get(agency=agency, code="7X")
    r = client.post(
        f"/admin/agencies/prioritycode/{code.pk}/change/",
        {"agency": agency.pk, "code": "7X", "rank": "3", "label": ""},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert not Call.objects.filter(needs_mapping=True).exists()
