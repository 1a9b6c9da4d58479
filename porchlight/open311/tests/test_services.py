"""Discovery, the service list and each service's definition, in JSON and XML alike."""

from __future__ import annotations

import pytest

from porchlight.open311.tests.conftest import V2, error_of, xml
from porchlight.reports.models import Category

FORMATS = pytest.mark.parametrize("fmt", ["json", "xml"])


def test_discovery_names_this_endpoint_and_both_formats(client, categories) -> None:
    data = client.get(V2 + "discovery.json").json()
    [endpoint] = data["endpoints"]
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert data["changeset"].endswith("Z") and data["key_service"]

    root = xml(client.get(V2 + "discovery.xml"))
    assert root.tag == "discovery"
    assert root.findtext("endpoints/endpoint/url") == "http://testserver/open311/v2/"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]
    assert root.findtext("changeset") == data["changeset"]


def test_services_list_the_offered_categories(client, categories) -> None:
    hidden = categories[-1]
    hidden.active = False
    hidden.save()
    services = client.get(V2 + "services.json").json()
    assert [s["service_code"] for s in services] == [c.code for c in categories[:-1]]
    theft = services[0]
    assert theft == {
        "service_code": "theft",
        "service_name": "Theft under $950",
        "description": "Something was stolen, worth less than $950, and you do not know who took it.",
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": "Property",
    }

    root = xml(client.get(V2 + "services.xml"))
    assert root.tag == "services"
    first = root.find("service")
    assert first is not None
    assert first.findtext("service_code") == "theft"
    assert first.findtext("metadata") == "true"
    assert len(root.findall("service")) == len(services)


def test_spanish_through_the_locale_extension(client, categories) -> None:
    services = client.get(V2 + "services.json", {"locale": "es_MX"}).json()
    assert services[0]["service_name"] == "Robo de menos de $950"


def test_a_definition_lists_the_questions_as_attributes(client, categories) -> None:
    data = client.get(V2 + "services/vehicle-burglary.json").json()
    assert data["service_code"] == "vehicle-burglary"
    codes = [a["code"] for a in data["attributes"]]
    assert codes == ["entry", "plate", "value"]
    entry = data["attributes"][0]
    assert entry["datatype"] == "singlevaluelist"
    assert entry["required"] is True and entry["variable"] is True
    assert entry["description"] == "How did they get in?"
    assert entry["values"][0] == {"key": "window", "name": "Broke a window"}
    assert "values" not in data["attributes"][1]

    root = xml(client.get(V2 + "services/vehicle-burglary.xml"))
    assert root.tag == "service_definition"
    attrs = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attrs] == codes
    assert attrs[0].findtext("required") == "true"
    assert attrs[0].findtext("values/value/key") == "window"
    assert attrs[0].findtext("values/value/name") == "Broke a window"


@FORMATS
def test_unknown_or_withdrawn_service_is_404(client, categories, fmt) -> None:
    response = client.get(f"{V2}services/graffiti.{fmt}")
    assert response.status_code == 404
    assert error_of(response, fmt) == (404, "service_code 'graffiti' not found")
    Category.objects.filter(code="noise").update(active=False)
    assert client.get(f"{V2}services/noise.{fmt}").status_code == 404


@FORMATS
def test_jurisdiction_is_needed_once_there_are_several(
    client, categories, other_agency, fmt
) -> None:
    response = client.get(f"{V2}services.{fmt}")
    assert response.status_code == 400
    assert "jurisdiction_id is required" in error_of(response, fmt)[1]
    assert client.get(f"{V2}services.{fmt}", {"jurisdiction_id": "kern"}).status_code == 200
    assert client.get(f"{V2}services.json", {"jurisdiction_id": "kern"}).json() == []
    mine = client.get(f"{V2}services.json", {"jurisdiction_id": "bakersfield"}).json()
    assert len(mine) == len(categories)
    response = client.get(f"{V2}services.{fmt}", {"jurisdiction_id": "gotham"})
    assert response.status_code == 404
    assert error_of(response, fmt) == (404, "jurisdiction_id 'gotham' is not served here")


@FORMATS
def test_wrong_method_and_path_answer_in_the_spec_format(client, categories, fmt) -> None:
    response = client.post(f"{V2}services.{fmt}")
    assert response.status_code == 405 and response["Allow"] == "GET"
    assert error_of(response, fmt)[0] == 405
    response = client.get(f"{V2}nothing.{fmt}")
    assert response.status_code == 404 and error_of(response, fmt)[0] == 404
    response = client.get(f"{V2}services")
    assert response.status_code == 404
    assert "must end in .json or .xml" in error_of(response, "json")[1]
    response = client.get(f"{V2}services.{fmt}", {"jurisdiction_id": "x" * 500})
    assert response.status_code == 400
