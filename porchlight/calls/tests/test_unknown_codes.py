import pytest

from porchlight.agencies.models import PriorityCode, StatusCode
from porchlight.calls.models import Call, CallType
from standins.builders import cad_event


@pytest.mark.django_db
def test_unknown_call_type_is_applied_flagged_and_excluded(send):
    r = send(cad_event(1, call_type="XYZ9", call_type_description="Something new"))
    assert r["results"][0]["result"] == "applied"
    ct = CallType.objects.get(code="XYZ9")
    assert ct.needs_mapping and ct.excluded and ct.description == "Something new"
    assert Call.objects.get().needs_mapping


@pytest.mark.django_db
def test_unknown_priority_is_applied_and_flagged(send):
    send(cad_event(1, priority="2B"))
    assert PriorityCode.objects.get(code="2B").needs_mapping
    assert Call.objects.get().needs_mapping


@pytest.mark.django_db
def test_known_codes_are_not_flagged(send):
    send(cad_event(1))
    call = Call.objects.get()
    assert not call.needs_mapping and call.call_type.code == "459R" and call.priority.rank == 2


@pytest.mark.django_db
def test_sensitive_type_is_excluded(send):
    send(cad_event(1, call_type="273.5"))
    assert Call.objects.get().call_type.excluded


@pytest.mark.django_db
def test_mapped_cad_status_code_is_applied(agency, send):
    StatusCode.objects.create(agency=agency, code="ARV", status="onscene")
    r = send(cad_event(1, status="ARV"))
    assert r["results"][0]["result"] == "applied"
    assert Call.objects.get().status == "onscene"


@pytest.mark.django_db
def test_status_words_are_case_insensitive(send):
    send(cad_event(1, status="Dispatched"))
    assert Call.objects.get().status == "dispatched"
