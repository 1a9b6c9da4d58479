"""New call types whose label matches a sensitive term start out sensitive, for staff to confirm."""

import pytest

from porchlight.calls.models import Call, CallType
from porchlight.calls.sensitive import DEFAULT_TERMS, matching_term
from porchlight.notify.models import Outbox
from standins.builders import cad_event


@pytest.mark.parametrize(
    "label, term",
    [
        ("SUICIDE ATTEMPT", "suicide"),
        ("Suicidal subject", "suicidal"),
        ("DOMESTIC VIOLENCE IN PROGRESS", "domestic"),
        ("DV", "dv"),
        ("ASSAULT - SEXUAL", "sexual"),
        ("CHILD ABUSE/NEGLECT", "child abuse"),
        ("KIDNAPPING", "kidnap"),
        ("Violencia doméstica", "violencia domestica"),
        ("AGRESIÓN SEXUAL", "agresion sexual"),
        ("Intento de suicidio", "suicidio"),
        ("--DISTURBANCE - OTHER", ""),
        ("SUSPICIOUS PERSON, VEHICLE OR INCIDENT", ""),
        ("DVD PLAYER STOLEN", ""),  # a short term is a whole word only
        ("GRAPE THEFT", ""),
    ],
)
def test_matching(label, term):
    assert matching_term(DEFAULT_TERMS, label) == term


@pytest.mark.django_db
def test_new_type_sensitive_by_name_starts_sensitive_and_texts_no_one(send):
    send(
        cad_event(
            1, call_type="SUIC", call_type_description="Suicide threat",
            caller={"phone": "+16615550123"},
        )
    )  # fmt: skip
    ct = CallType.objects.get(code="SUIC")
    assert ct.sensitive and ct.needs_mapping and ct.sensitive_term == "suicide"
    assert Call.objects.get().call_type == ct
    assert not Outbox.objects.exclude(state="suppressed").exists()


@pytest.mark.django_db
def test_plain_new_type_is_not_sensitive_by_name(send):
    send(cad_event(1, call_type="NOISE", call_type_description="Loud music"))
    ct = CallType.objects.get(code="NOISE")
    assert ct.needs_mapping and not ct.sensitive and ct.sensitive_term == ""


@pytest.mark.django_db
def test_the_agency_edits_its_terms(agency, send):
    agency.sensitive_terms = "welfare check\ncontrol de bienestar"
    agency.save()
    send(cad_event(1, call_type="ZWC", call_type_description="WELFARE CHECK"))
    send(cad_event(2, incident="B", call_type="ZSU", call_type_description="Suicide"))
    assert CallType.objects.get(code="ZWC").sensitive_term == "welfare check"
    assert not CallType.objects.get(code="ZSU").sensitive  # no longer on the list


@pytest.mark.django_db
def test_console_asks_staff_to_confirm(send, staff_client):
    send(cad_event(1, call_type="DV", call_type_description="Domestic disturbance"))
    client = staff_client("admin")
    page = client.get("/console/call-types/").content.decode()
    assert ">by name</span> “dv”: confirm" in page
    pk = CallType.objects.get(code="DV").pk
    edit = client.get(f"/console/call-types/{pk}/").content.decode()
    assert "Sensitive by name" in edit and "checked" in edit.split('name="sensitive"')[1][:80]
