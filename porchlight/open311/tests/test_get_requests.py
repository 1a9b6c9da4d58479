"""GET requests, requests/{id} and tokens/{token}: what anyone may read about filed reports,
filtered as the spec says, and nothing the public map would not show."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from porchlight.open311.tests.conftest import V2, error_of, filing, xml
from porchlight.reports.models import Report

FORMATS = pytest.mark.parametrize("fmt", ["json", "xml"])


@pytest.fixture
def filed(client, categories, open311_key, address):
    """Three reports: a vehicle burglary at an address, a vandalism by pin, an old one closed."""
    numbers = []
    for body in (
        filing(open311_key, lat=None, long=None, address_string="1642 Truxtun Ave"),
        filing(open311_key, service_code="vandalism", **{"attribute[damaged]": "fence"}),
        filing(open311_key, service_code="abandoned-vehicle", **{"attribute[days]": "4"}),
    ):
        response = client.post(V2 + "requests.json", body)
        assert response.status_code == 201, response.content
        numbers.append(response.json()[0]["service_request_id"])
    old = Report.objects.get(case__number=numbers[2])
    old.filed_at = timezone.now() - timedelta(days=30)
    old.save()
    old.case.closed_at = timezone.now()
    old.case.save()
    return numbers


def test_one_request_shows_only_what_the_public_may_see(client, filed) -> None:
    [doc] = client.get(f"{V2}requests/{filed[0]}.json").json()
    report = Report.objects.get(case__number=filed[0])
    assert doc["service_request_id"] == filed[0]
    assert doc["status"] == "open"
    assert doc["service_code"] == "vehicle-burglary"
    assert doc["agency_responsible"] == "Bakersfield Police Department"
    assert doc["address"] == "1600 block of TRUXTUN AVE"
    assert doc["description"] == "" and doc["media_url"] == ""
    # A point near the address, never the address's own.
    assert (doc["lat"], doc["long"]) != (report.lat, report.lon)
    assert abs(doc["lat"] - report.lat) < 0.002 and abs(doc["long"] - report.lon) < 0.002
    assert doc["requested_datetime"].endswith(("-08:00", "-07:00"))
    assert "pat@" not in str(doc) and "backpack" not in str(doc)

    root = xml(client.get(f"{V2}requests/{filed[0]}.xml"))
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == filed[0]
    assert root.findtext("request/address") == doc["address"]
    assert float(root.findtext("request/lat")) == doc["lat"]
    assert root.findtext("request/expected_datetime") == ""


@FORMATS
def test_filters(client, filed, fmt) -> None:
    def ids(**params):
        response = client.get(f"{V2}requests.{fmt}", params)
        assert response.status_code == 200, response.content
        if fmt == "json":
            return sorted(r["service_request_id"] for r in response.json())
        return sorted(e.text for e in xml(response).findall("request/service_request_id"))

    assert ids() == sorted(filed)
    assert ids(service_code="vandalism") == [filed[1]]
    assert ids(service_code="vandalism,vehicle-burglary") == sorted(filed[:2])
    assert ids(status="closed") == [filed[2]]
    assert ids(status="open") == sorted(filed[:2])
    assert ids(status="open,closed") == sorted(filed)
    week_ago = (timezone.now() - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(start_date=week_ago) == sorted(filed[:2])
    assert ids(end_date=week_ago) == [filed[2]]
    # service_request_id overrides every other filter.
    assert ids(service_request_id=f"{filed[2]},{filed[0]}", status="open") == sorted(
        [filed[0], filed[2]]
    )
    assert ids(service_request_id="C00-000000") == []


@FORMATS
@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"status": "pending"}, "status must be open, closed, or both"),
        ({"start_date": "yesterday"}, "start_date is not a W3C datetime"),
        ({"end_date": "2026-13-45T00:00:00Z"}, "end_date is not a W3C datetime"),
        (
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-12-01T00:00:00Z"},
            "may span at most 90 days",
        ),
        (
            {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
            "end_date is before start_date",
        ),
        ({"service_request_id": ",".join(["C26-1"] * 101)}, "at most 100"),
    ],
)
def test_bad_filters_are_400(client, filed, fmt, params, says) -> None:
    response = client.get(f"{V2}requests.{fmt}", params)
    assert response.status_code == 400
    assert says in error_of(response, fmt)[1]


@FORMATS
def test_tokens_lead_to_the_case_number(client, filed, fmt) -> None:
    report = Report.objects.get(case__number=filed[1])
    response = client.get(f"{V2}tokens/{report.token}.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        assert response.json() == [{"service_request_id": filed[1], "token": report.token}]
    else:
        root = xml(response)
        assert root.findtext("request/service_request_id") == filed[1]
        assert root.findtext("request/token") == report.token
    response = client.get(f"{V2}tokens/AAAAAAAAAAAAAAAAAAAAAAAA.{fmt}")
    assert response.status_code == 404 and error_of(response, fmt) == (404, "token not found")


@FORMATS
def test_another_jurisdictions_reports_are_not_found(client, filed, other_agency, fmt) -> None:
    response = client.get(f"{V2}requests/{filed[0]}.{fmt}", {"jurisdiction_id": "kern"})
    assert response.status_code == 404
    assert error_of(response, fmt) == (404, f"service_request_id {filed[0]!r} not found")
    listed = client.get(f"{V2}requests.json", {"jurisdiction_id": "kern"}).json()
    assert listed == []
    assert client.delete(f"{V2}requests/{filed[0]}.{fmt}").status_code == 405


@FORMATS
def test_a_case_marked_domestic_violence_leaves_the_public_record(client, filed, fmt) -> None:
    report = Report.objects.get(case__number=filed[0])
    report.case.domestic_violence = True
    report.case.save()
    assert client.get(f"{V2}requests/{filed[0]}.{fmt}").status_code == 404
    assert client.get(f"{V2}tokens/{report.token}.{fmt}").status_code == 404
    listed = client.get(f"{V2}requests.json").json()
    assert filed[0] not in [r["service_request_id"] for r in listed]


def test_a_long_list_costs_the_same_few_queries(
    client, filed, django_assert_max_num_queries
) -> None:
    # The jurisdiction, then the reports with their case, category and agency in one query.
    with django_assert_max_num_queries(3):
        assert len(client.get(f"{V2}requests.json").json()) == len(filed)
