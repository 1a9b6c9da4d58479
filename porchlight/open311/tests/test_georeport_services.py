"""The `georeport` client from PyPI, which we did not write, reads our services from a live server
in both formats, and gets the same answers either way."""

from __future__ import annotations

import pytest
from georeport import GeoReport

from porchlight.reports.demo import seed_categories


@pytest.mark.django_db(transaction=True)
def test_georeport_reads_services_and_definitions(live_server, agency) -> None:
    seed_categories(agency)
    root = live_server.url + "/open311/v2"
    as_json = GeoReport(root, jurisdiction="bakersfield")
    as_xml = GeoReport(root, jurisdiction="bakersfield", output_format="xml")

    listed = as_json.get_service_list()
    assert [s["service_code"] for s in listed][:2] == ["theft", "vehicle-burglary"]
    from_xml = as_xml.get_service_list()
    # XML carries text only: the same documents once booleans are read back.
    for s in listed:
        s["metadata"] = "true" if s["metadata"] else "false"
        for key in ("keywords", "group", "description"):
            s[key] = s[key] or None
    assert from_xml == listed

    definition = as_json.get_service_definition("vandalism")
    assert definition["service_code"] == "vandalism"
    damaged = definition["attributes"][0]
    assert damaged["datatype"] == "multivaluelist"
    xml_definition = as_xml.get_service_definition("vandalism")
    xml_damaged = xml_definition["attributes"]["attribute"]
    assert xml_damaged["code"] == damaged["code"]
    assert [v["key"] for v in xml_damaged["values"]["value"]] == [
        v["key"] for v in damaged["values"]
    ]
