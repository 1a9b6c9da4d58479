"""EIDO documents route by ORI with the native events' rules (calls/eido.py, calls/intake.py)."""

import copy

import pytest

from porchlight.agencies.models import StatusCode
from porchlight.calls import eido
from porchlight.calls.models import Call, Quarantine
from porchlight.calls.schemas import EXAMPLE_EIDO
from standins.builders import make_agency, make_key


@pytest.fixture
def consolidated(agency):
    """A county dispatch center whose key also covers the city police, but not Fresno."""
    city = make_agency(slug="delano", name="Delano Police Department", ori="CA0150300")
    far = make_agency(slug="fresno", name="Fresno Police Department", ori="CA0100500")
    for a in (agency, city, far):
        StatusCode.objects.get_or_create(agency=a, code="DISP", defaults={"status": "dispatched"})
    _, raw = make_key(agency, source="county-cad", covers=[city])
    return city, far, raw


def named(incident, agency_ref, *, component_id=None, on_incident=True, **agency_fields):
    """EXAMPLE_EIDO with its incident updated by the agency `agency_ref` points at."""
    d = copy.deepcopy(EXAMPLE_EIDO)
    d["incidentTrackingIdentifier"] = f"urn:emergency:uid:incidentid:{incident}"
    holder = d["incidentComponent"][0] if on_incident else d
    holder["updatedByAgencyReference"] = {"$ref": agency_ref}
    d["agencyComponent"] = [{"$id": component_id or agency_ref, **agency_fields}]
    return d


def post(client, raw, slug, *docs):
    r = client.post(
        f"/api/v1/agencies/{slug}/cad/eido",
        list(docs),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert r.status_code == 200, r.content
    return r.json()["results"]


@pytest.mark.django_db
def test_a_document_naming_a_covered_agency_goes_to_it(client, agency, consolidated):
    city, _, raw = consolidated
    results = post(
        client,
        raw,
        "bakersfield",
        named("K-1", "urn:nena:agency:CA0150200"),  # the URL's own agency
        named("C-1", "urn:nena:agency:CA0150300"),  # the city, covered by the key
        named("C-2", "delano-pd", agencyIdentifier="CA0150300", on_incident=False),
    )
    assert [r["result"] for r in results] == ["applied"] * 3, results
    assert Call.objects.get(incident_number="K-1").agency == agency
    assert Call.objects.get(incident_number="C-1").agency == city
    assert Call.objects.get(incident_number="C-2").agency == city


@pytest.mark.django_db
def test_an_uncovered_ori_is_rejected_and_quarantined_with_the_keyed_agency(
    client, agency, consolidated
):
    _, far, raw = consolidated
    [result] = post(client, raw, "bakersfield", named("F-1", "CA0100500"))
    assert result["result"] == "rejected" and "CA0100500" in result["reason"]
    assert not Call.objects.filter(agency=far).exists()
    assert Quarantine.objects.get().agency == agency


@pytest.mark.django_db
def test_an_agency_named_by_domain_stays_with_the_url_agency(client, agency, consolidated):
    _, _, raw = consolidated
    [result] = post(client, raw, "bakersfield", named("D-1", "state.pa.us"))
    assert result["result"] == "applied"
    assert Call.objects.get(incident_number="D-1").agency == agency


def test_where_the_ori_comes_from():
    assert eido.to_event(named("X", "urn:nena:agency:ca0150300"))[0]["ori"] == "CA0150300"
    assert "ori" not in eido.to_event(named("X", "bakersfieldpd.example"))[0]
    assert "ori" not in eido.to_event(copy.deepcopy(EXAMPLE_EIDO))[0]
    # A reference to no agency component still names the ORI it carries.
    doc = named("X", "CA0150300", component_id="other")
    assert eido.to_event(doc)[0]["ori"] == "CA0150300"
