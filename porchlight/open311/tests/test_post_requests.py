"""POST requests: an app files a report with its API key and gets the case number back."""

from __future__ import annotations

import pytest

from porchlight.cases.models import Case
from porchlight.notify.models import Outbox, Trigger
from porchlight.open311.tests.conftest import V2, error_of, filing, xml
from porchlight.reports.models import Report
from standins.builders import make_key

FORMATS = pytest.mark.parametrize("fmt", ["json", "xml"])


def test_a_report_filed_in_json_gets_its_case_number(client, categories, open311_key) -> None:
    response = client.post(V2 + "requests.json", filing(open311_key))
    assert response.status_code == 201, response.content
    [created] = response.json()
    report = Report.objects.get()
    assert created["service_request_id"] == report.case.number
    assert created["token"] == report.token
    assert "911" in created["service_notice"]
    assert report.source == "open311" and report.case.source == "open311"
    assert report.answers == {"entry": "window", "plate": "8ABC123", "value": "120.5"}
    assert (report.lat, report.lon) == (35.3801, -119.0213)
    # The reporter gets the same "report taken" update as a caller.
    assert Outbox.objects.filter(trigger=Trigger.CASE_OPENED, channel="email").count() == 1


def test_a_report_filed_in_xml_by_address_string(client, categories, open311_key, address) -> None:
    body = filing(open311_key, lat=None, long=None, address_string="1600 Truxtun Ave")
    response = client.post(V2 + "requests.xml", body)
    assert response.status_code == 201, response.content
    root = xml(response)
    assert root.tag == "service_requests"
    number = root.findtext("request/service_request_id")
    report = Report.objects.get(case__number=number)
    assert root.findtext("request/token") == report.token
    assert report.lat == pytest.approx(address.lat)


def test_an_unknown_address_string_is_kept_as_typed(client, categories, open311_key) -> None:
    body = filing(open311_key, lat=None, long=None, address_string="Behind the Fox Theater")
    assert client.post(V2 + "requests.json", body).status_code == 201
    report = Report.objects.get()
    assert (report.address, report.lat) == ("Behind the Fox Theater", None)


def test_list_attributes_take_several_values(client, categories, open311_key) -> None:
    body = filing(open311_key, service_code="vandalism")
    body["attribute[damaged][]"] = ["fence", "vehicle"]
    assert client.post(V2 + "requests.json", body).status_code == 201
    assert Report.objects.get().answers == {"damaged": ["fence", "vehicle"]}


def test_the_key_may_also_come_as_a_header(client, categories, open311_key) -> None:
    body = filing(open311_key, api_key=None)
    response = client.post(V2 + "requests.json", body, HTTP_AUTHORIZATION=f"Bearer {open311_key}")
    assert response.status_code == 201


@FORMATS
@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"api_key": None}, 403, "api_key is missing or not valid"),
        ({"api_key": "pl_wrong"}, 403, "api_key is missing or not valid"),
        ({"service_code": None}, 400, "service_code is required"),
        ({"service_code": "graffiti"}, 400, "service_code 'graffiti' is not offered"),
        ({"lat": None, "long": None}, 400, "a location is required"),
        ({"long": None}, 400, "lat and long go together"),
        ({"lat": "north"}, 400, "lat is not a number"),
        ({"lat": "95"}, 400, "not a point on Earth"),
        ({"lat": "nan"}, 400, "lat is not a number"),
        ({"description": ""}, 400, "description is required"),
        ({"description": "x" * 4001}, 400, "longer than 4000"),
        ({"email": None}, 400, "email or phone is required"),
        ({"email": "pat@"}, 400, "email is not an email address"),
        ({"phone": "12"}, 400, "phone is not a phone number"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url is not an http(s) URL"),
        ({"attribute[entry]": "teleport"}, 400, "attribute[entry]: Select a valid choice."),
        ({"attribute[plate]": None}, 400, "attribute[plate]: This field is required."),
        ({"attribute[value]": "-1"}, 400, "attribute[value]:"),
        ({"jurisdiction_id": "gotham"}, 404, "jurisdiction_id 'gotham' is not served here"),
        ({"service_code": "x" * 3000}, 400, "service_code is too long"),
        ({"description": "bag\x00taken"}, 400, "description contains a NUL character"),
    ],
)
def test_bad_posts_are_refused_in_the_spec_format(
    client, categories, open311_key, fmt, change, status, says
) -> None:
    response = client.post(f"{V2}requests.{fmt}", filing(open311_key, **change))
    assert response.status_code == status, response.content
    code, description = error_of(response, fmt)
    assert code == status and says in description
    assert not Case.objects.exists()


@FORMATS
def test_keys_are_for_open311_and_their_own_agency(client, categories, other_agency, fmt) -> None:
    _, cad = make_key(categories[0].agency, source="cad")
    response = client.post(f"{V2}requests.{fmt}", filing(cad))
    assert response.status_code == 403
    assert "not for Open311" in error_of(response, fmt)[1]
    _, theirs = make_key(other_agency, source="open311")
    response = client.post(f"{V2}requests.{fmt}", filing(theirs))
    assert response.status_code == 403
    assert "may not file reports for 'bakersfield'" in error_of(response, fmt)[1]
    assert not Case.objects.exists()


def test_posts_are_rate_limited_per_key(
    client, categories, open311_key, settings, one_rate_window
) -> None:
    settings.OPEN311_RATE_LIMIT = "2/m"
    for _ in range(2):
        assert client.post(V2 + "requests.json", filing(open311_key)).status_code == 201
    response = client.post(V2 + "requests.json", filing(open311_key))
    assert response.status_code == 429
    assert error_of(response, "json")[0] == 429
    assert Report.objects.count() == 2
