"""POST /api/v1/agencies/{slug}/cad/eido: NENA EIDO documents (shaped as NENA's samples,
with invented values), the same rules as native events."""

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from porchlight.agencies.models import StatusCode
from porchlight.calls.models import Call, Quarantine
from porchlight.calls.schemas import EXAMPLE_EIDO
from porchlight.notify import pii

URL = "/api/v1/agencies/bakersfield/cad/eido"


@pytest.fixture
def post(client, api_key, agency):
    StatusCode.objects.get_or_create(agency=agency, code="DISP", defaults={"status": "dispatched"})
    _, raw = api_key

    def post(body):
        r = client.post(
            URL, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
        )
        assert r.status_code == 200, r.content
        return r.json()

    return post


def doc(**changes):
    d = copy.deepcopy(EXAMPLE_EIDO)
    d.update(changes)
    return d


@pytest.mark.django_db
def test_eido_becomes_a_call(post):
    body = post(doc())
    assert body["results"][0]["result"] == "applied", body
    call = Call.objects.get(incident_number="26-012345")
    assert call.status == "dispatched"
    assert (
        call.call_type.code == "459R"
        and call.call_type.description == "Residential burglary report"
    )
    assert call.priority.code == "2"
    assert call.address == "1501 Truxtun Ave, Bakersfield, CA"
    assert pii.decrypt(call.caller_phone.address_enc) == "+16615550123"
    assert call.dispatched_at.isoformat() == "2026-11-22T22:31:40+00:00"
    event = call.events.get()
    assert event.payload["eido"]["reason"] == "CallStatusChanged"
    assert "caller" not in event.payload or "phone" not in event.payload["caller"]


@pytest.mark.django_db
def test_same_document_twice_is_a_duplicate_and_a_list_is_a_batch(post):
    post(doc())
    other = doc(incidentTrackingIdentifier="urn:emergency:uid:incidentid:26-000777")
    body = post([doc(), other, {"hello": "world"}])
    assert [r["result"] for r in body["results"]] == ["duplicate", "applied", "rejected"]


@pytest.mark.django_db
def test_lower_case_timestamp_spelling_and_a_geodetic_point(post):
    d = doc(incidentTrackingIdentifier="urn:emergency:uid:incidentid:P-1")
    d["lastUpdateTimeStamp"] = d.pop("LastUpdateTimeStamp")
    d["locationComponent"] = [{
        "locationByValue": (
            '<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:gml="http://www.opengis.net/gml">'
            "<tuple id='a'><status><gml:Point><gml:pos>35.3738 -119.0194</gml:pos></gml:Point>"
            "</status></tuple></presence>"
        )
    }]  # fmt: skip
    assert post(d)["results"][0]["result"] == "applied"
    call = Call.objects.get(incident_number="P-1")
    assert (call.lat, call.lon) == (35.3738, -119.0194)


@pytest.mark.parametrize(
    "remove, field",
    [
        ("incidentTrackingIdentifier", "incidentTrackingIdentifier"),
        ("LastUpdateTimeStamp", "LastUpdateTimeStamp"),
        ("incidentComponent", "incidentComponent"),
    ],
)
@pytest.mark.django_db
def test_missing_fields_are_quarantined_naming_the_field(post, remove, field):
    d = doc()
    del d[remove]
    result = post(d)["results"][0]
    assert result["result"] == "rejected"
    assert result["reason"] == f"EIDO: {field} is missing, and Porchlight needs it"
    held = Quarantine.objects.get()
    assert held.raw == d and held.reason == result["reason"]  # kept whole
    assert not Call.objects.exists()


@pytest.mark.django_db
def test_missing_status_names_the_field(post):
    d = doc()
    del d["incidentComponent"][0]["incidentStatusInternalText"]
    result = post(d)["results"][0]
    assert "incidentComponent.incidentStatusInternalText is missing" in result["reason"]


@pytest.mark.django_db
def test_pidf_with_entities_is_refused_not_expanded(post):
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<presence xmlns="urn:ietf:params:xml:ns:pidf">&lol2;</presence>'
    )
    external = (
        '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<presence xmlns="urn:ietf:params:xml:ns:pidf">&x;</presence>'
    )
    for n, xml in enumerate((bomb, external)):
        d = doc(incidentTrackingIdentifier=f"urn:emergency:uid:incidentid:X-{n}")
        d["locationComponent"] = [{"locationByValue": xml}]
        result = post(d)["results"][0]
        assert result["result"] == "applied"
        assert any("refused" in w and "locationByValue" in w for w in result["warnings"]), result
        assert Call.objects.get(incident_number=f"X-{n}").address == ""


@pytest.mark.django_db
def test_malformed_pidf_is_a_warning_and_no_caller_means_no_phone(post):
    d = doc(incidentTrackingIdentifier="urn:emergency:uid:incidentid:M-1", personComponent=[])
    d["locationComponent"] = [{"locationByValue": "<presence><gs:Ellipsoid></presence>"}]
    result = post(d)["results"][0]
    assert result["result"] == "applied"
    assert any("not well-formed XML" in w for w in result["warnings"])
    assert Call.objects.get(incident_number="M-1").caller_phone is None


@pytest.mark.django_db
def test_openapi_documents_the_eido_endpoint(client):
    spec = client.get("/api/v1/openapi.json").json()
    op = spec["paths"]["/api/v1/agencies/{slug}/cad/eido"]["post"]
    assert "NENA-STA-021" in op["description"]
    assert op["requestBody"]["content"]["application/json"]["example"]["incidentComponent"]
    assert "never a 4xx" in op["responses"]["200"]["description"]


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10, 10**6), st.text(max_size=30)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
EIDO_FIELDS = [
    "incidentTrackingIdentifier", "LastUpdateTimeStamp", "lastUpdateTimeStamp", "incidentComponent",
    "personComponent", "callbackComponent", "locationComponent", "locationInformationComponent",
    "reasonForIssueRegistryText", "$id",
]  # fmt: skip


@st.composite
def eido_docs(draw):
    d = doc(incidentTrackingIdentifier=f"urn:emergency:uid:incidentid:H-{draw(st.integers(0, 3))}")
    for name in draw(st.lists(st.sampled_from(EIDO_FIELDS), max_size=3, unique=True)):
        if draw(st.booleans()):
            d.pop(name, None)
        else:
            d[name] = draw(json_values)
    if draw(st.booleans()) and isinstance(d.get("incidentComponent"), list):
        d["incidentComponent"] = [{k: draw(json_values) for k in draw(st.lists(st.sampled_from(
            ["incidentStatusInternalText", "incidentTypeInternalCode", "incidentPriorityInternalText",
             "incidentCommonPriorityNumber", "incidentTypeInternalText"]), max_size=5))}]  # fmt: skip
    return d


@pytest.mark.django_db
@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(eido_docs(), min_size=1, max_size=4))
def test_any_eido_ends_applied_or_typed(post, batch):
    body = post(batch)
    assert len(body["results"]) == len(batch)
    assert all(
        r["result"] in {"applied", "duplicate", "conflict", "rejected"} for r in body["results"]
    )
