import json

import pytest


@pytest.mark.django_db
def test_openapi_documents_the_event_schema_with_examples(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    op = spec["paths"]["/api/v1/agencies/{slug}/cad/events"]["post"]
    body = op["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"] == "#/components/schemas/CadEventBatch"
    assert body["example"]["events"][0]["incident_number"]
    schemas = spec["components"]["schemas"]
    event = schemas["CadEvent"]["properties"]
    for field in (
        "event_id",
        "incident_number",
        "call_type",
        "priority",
        "event_time",
        "status",
        "units",
        "call_taker_id",
        "disposition",
        "location",
        "caller",
        "juvenile",
        "report_number",
        "ori",
    ):
        assert field in event, field
    assert set(op["responses"]) >= {"200", "400", "401", "403"}
    # Every $ref resolves.
    import json
    import re

    for ref in re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(spec)):
        assert ref in schemas, ref


@pytest.mark.django_db
def test_api_docs_page_serves_swagger_locally(client):
    r = client.get("/api/v1/docs")
    assert r.status_code == 200
    html = r.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


@pytest.mark.django_db
def test_openapi_says_invalid_events_are_rejected_in_a_200(client):
    spec = client.get("/api/v1/openapi.json").json()
    op = spec["paths"]["/api/v1/agencies/{slug}/cad/events"]["post"]
    ok = op["responses"]["200"]
    assert "rejected" in ok["description"] and "never a 4xx" in ok["description"]
    assert ok["content"]["application/json"]["schema"]["$ref"].endswith("/BatchResult")
    assert "answered 200 whenever its body parses" in op["description"]
    event_time = spec["components"]["schemas"]["CadEvent"]["properties"]["event_time"]
    assert "plausible window" in event_time["description"]


@pytest.mark.django_db
def test_the_document_has_no_duplicated_keys(client):
    # Swagger UI parses the document as YAML and refuses it when a key repeats (it showed
    # "duplicated mapping key" instead of the docs): each status must appear once.
    def no_duplicates(pairs):
        keys = [key for key, _ in pairs]
        assert len(keys) == len(set(keys)), f"duplicated keys: {keys}"
        return dict(pairs)

    document = json.loads(
        client.get("/api/v1/openapi.json").content, object_pairs_hook=no_duplicates
    )
    responses = document["paths"]["/api/v1/agencies/{slug}/cad/events"]["post"]["responses"]
    assert "Invalid events are `rejected` here" in responses["200"]["description"]
    assert "content" in responses["200"]
