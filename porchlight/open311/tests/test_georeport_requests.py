"""Round trips through a live server with the `georeport` client: what an app files comes back,
in JSON and in XML, as the same request."""

from __future__ import annotations

import pytest
import requests
from georeport import GeoReport

from porchlight.open311.tests.conftest import filing
from porchlight.reports.demo import seed_categories
from standins.builders import make_key


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_reads_back_what_was_filed(live_server, agency, fmt) -> None:
    seed_categories(agency)
    _, key = make_key(agency, source="open311")
    root = live_server.url + "/open311/v2"
    # georeport reads but does not file: the app's POST is a plain form post, as the spec says.
    posted = requests.post(
        f"{root}/requests.{fmt}", data=filing(key, service_code="vandalism",
                                              **{"attribute[damaged]": "fence"}), timeout=10
    )  # fmt: skip
    assert posted.status_code == 201, posted.text
    client = GeoReport(root, jurisdiction="bakersfield", api_key=key, output_format=fmt)
    if fmt == "json":
        number = posted.json()[0]["service_request_id"]
        token = posted.json()[0]["token"]
    else:
        import xmltodict

        created = xmltodict.parse(posted.content)["service_requests"]["request"]
        number, token = created["service_request_id"], created["token"]

    one = client.get_service_request(number)
    assert one["service_request_id"] == number
    assert one["service_code"] == "vandalism"
    assert one["status"] == "open"
    assert one["service_name"] == "Vandalism"

    listed = client.get_service_requests(service_code="vandalism", status="open")
    # xmltodict gives one <request> as a dict, several as a list.
    listed = listed if isinstance(listed, list) else [listed]
    assert [r["service_request_id"] for r in listed] == [number]
    assert listed[0]["requested_datetime"] == one["requested_datetime"]

    by_id = client.get_service_requests(service_request_id=number)
    by_id = by_id if isinstance(by_id, list) else [by_id]
    assert by_id[0]["service_request_id"] == number

    # tokens/{token} has no georeport method; the same live server answers it.
    looked_up = requests.get(
        f"{root}/tokens/{token}.{fmt}", params={"jurisdiction_id": "bakersfield"}, timeout=10
    )
    assert looked_up.status_code == 200 and number in looked_up.text


@pytest.mark.django_db(transaction=True)
def test_georeport_sees_spec_errors_as_http_errors(live_server, agency) -> None:
    seed_categories(agency)
    client = GeoReport(live_server.url + "/open311/v2", jurisdiction="bakersfield")
    with pytest.raises(requests.HTTPError) as missing:
        client.get_service_request("C26-999999")
    assert missing.value.response.status_code == 404
    assert missing.value.response.json() == [
        {"code": 404, "description": "service_request_id 'C26-999999' not found"}
    ]
    with pytest.raises(requests.HTTPError) as bad:
        client.get_service_requests(status="pending")
    assert bad.value.response.status_code == 400
