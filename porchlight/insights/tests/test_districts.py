"""District shapes: imported from GeoJSON with the beat importer's checks, uploaded on
/console/insights/districts/ by those who configure the agency (audited), and drawn as maps of
calls and of satisfaction by district on the dashboards."""

from __future__ import annotations

import json
from datetime import date

import pytest

from porchlight.audit.models import AuditEntry
from porchlight.demo.agency import make_agency
from porchlight.insights import districts, rollups
from porchlight.insights.dashboards import calls
from porchlight.insights.filters import Filters
from porchlight.insights.models import District
from porchlight.insights.tests.fixture import six_calls
from porchlight.insights.tests.test_other_dashboards import answered  # noqa: F401

pytestmark = pytest.mark.django_db
URL = "/console/insights/districts/"
LAT, LON, STEP = 35.37, -119.02, 0.01


def square(lat: float, lon: float) -> dict:
    return {"type": "Polygon", "coordinates": [[
        [lon, lat], [lon + STEP, lat], [lon + STEP, lat + STEP], [lon, lat + STEP], [lon, lat],
    ]]}  # fmt: skip


def district_file(*extra: dict) -> bytes:
    features = [
        {"type": "Feature", "properties": {"DISTRICT": "D1", "name": "North"},
         "geometry": square(LAT, LON)},
        {"type": "Feature", "properties": {"district": "D2", "name": "South"},
         "geometry": square(LAT - STEP, LON)},
        *extra,
    ]  # fmt: skip
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def test_the_import_reads_and_checks_like_the_beats(agency):
    bad = [
        {"type": "Feature", "properties": {"district": "D1"}, "geometry": square(LAT, LON)},
        {"type": "Feature", "properties": {}, "geometry": square(LAT, LON)},
        {"type": "Feature", "properties": {"district": "PT"},
         "geometry": {"type": "Point", "coordinates": [LON, LAT]}},
    ]  # fmt: skip
    result = districts.import_geojson(agency, district_file(*bad))
    assert sorted(result.added) == ["D1", "D2"]
    assert [n for n, _ in result.skipped] == [3, 4, 5]
    assert "district D1 appears twice" in result.skipped[0][1]
    one = District.objects.get(agency=agency, code="D1")
    assert one.name == "North" and one.min_lat == pytest.approx(LAT)
    again = districts.import_geojson(agency, district_file())
    assert sorted(again.updated) == ["D1", "D2"] and District.objects.count() == 2
    with pytest.raises(districts.DistrictFileError):
        districts.import_geojson(agency, b"not json")


def test_an_admin_uploads_districts_and_it_is_audited(staff_client, agency):
    client = staff_client("admin")
    page = client.get(URL).content.decode()
    assert 'name="file"' in page and "No district shapes yet." in page
    upload = district_file()
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post(URL, {"file": SimpleUploadedFile("districts.geojson", upload),
                          "code_property": "district"})  # fmt: skip
    assert r.status_code == 200, r.content.decode()[:1000]
    page = r.content.decode()
    assert "2 districts added" in page and "<td>South</td>" in page
    entry = AuditEntry.objects.get(action="insights.districts_import")
    assert entry.changes["added"] == ["D1", "D2"] and entry.agency_id == agency.pk


def test_bad_uploads_are_refused_with_a_reason(staff_client, agency):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = staff_client("admin")
    r = client.post(URL, {"file": SimpleUploadedFile("x.geojson", b"{nope")})
    assert r.status_code == 400 and "cannot be read as districts" in r.content.decode()
    r = client.post(URL, {})
    assert r.status_code == 400 and "Choose a GeoJSON file" in r.content.decode()
    empty = json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature"}]})
    r = client.post(URL, {"file": SimpleUploadedFile("x.geojson", empty.encode())})
    assert r.status_code == 400 and "Feature 1:" in r.content.decode()
    assert not District.objects.exists()


def test_read_only_staff_see_the_districts_but_cannot_upload(staff_client, agency):
    districts.import_geojson(agency, district_file())
    client = staff_client("readonly")
    page = client.get(URL).content.decode()
    assert "<td>North</td>" in page and 'name="file"' not in page
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post(URL, {"file": SimpleUploadedFile("d.geojson", district_file())})
    assert r.status_code == 403


def test_another_agency_sees_none_of_them(staff_client, agency):
    districts.import_geojson(agency, district_file())
    other = make_agency(slug="kern", name="Kern County Sheriff", ori="CA0150000")
    page = staff_client("admin", username="kern-admin", for_agency=other).get(URL)
    assert "<td>North</td>" not in page.content.decode()


def test_the_calls_dashboard_maps_calls_by_district(agency):
    six_calls(agency)  # D1: A1–A3, D2: A4–A6
    rollups.rebuild(agency)
    week = Filters(since=date(2026, 11, 16), until=date(2026, 11, 22))
    assert "district_map" not in [f.key for f in calls.compute(agency, week).figures]
    districts.import_geojson(agency, district_file())
    figure = calls.compute(agency, week).figure("district_map")
    assert figure.rows == [["D1", "3"], ["D2", "3"]]
    assert figure.chart is not None and {s["code"] for s in figure.chart["shapes"]} == {"D1", "D2"}
    assert figure.links[0][1] == week.query(district="D1")


def test_the_feedback_dashboard_maps_satisfaction_by_district(agency, answered):  # noqa: F811
    from porchlight.insights.dashboards import feedback
    from porchlight.insights.tests.test_other_dashboards import RANGE

    assert feedback.compute(agency, RANGE).figure("by_district").chart is None
    districts.import_geojson(agency, district_file())
    chart = feedback.compute(agency, RANGE).figure("by_district").chart
    assert chart is not None and chart["kind"] == "map"
    shade = {s["code"]: s["opacity"] for s in chart["shapes"]}
    # The three answers (CSAT 66.7%) are all in D2; D1 has none and stays the palest.
    assert shade["D2"] > shade["D1"] == 0.08


def test_a_spanish_speaking_admin_reads_the_skip_reasons_in_spanish(staff_client, agency):
    """The reasons come from the shared reader (alerts.beats and alerts.shapes) and name the
    district in the district page's own words; all are translated in the request's language."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = [
        {"type": "Feature", "properties": {"district": "D1"}, "geometry": square(LAT, LON)},
        {"type": "Feature", "properties": {}, "geometry": square(LAT, LON)},
        {"type": "Feature", "properties": {"district": "PT"},
         "geometry": {"type": "Point", "coordinates": [LON, LAT]}},
        {"type": "Feature", "properties": {"district": "FAR"},
         "geometry": square(LAT, 200.0)},
    ]  # fmt: skip
    client = staff_client("admin")
    upload = SimpleUploadedFile("d.geojson", district_file(*bad))
    page = client.post(URL, {"file": upload}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert 'lang="es"' in page
    assert "Elemento 3: el distrito D1 aparece dos veces; se conservó el primero" in page
    assert "Elemento 4: falta la propiedad &#x27;district&#x27;" in page
    assert "Elemento 5: distrito PT: una zona debe ser un Polygon o MultiPolygon de GeoJSON" in page
    assert "Elemento 6: distrito FAR: las coordenadas deben ser longitud, latitud" in page
    assert "appears twice" not in page and " property" not in page
    # The whole file refused: the reader's reason in Spanish too.
    r = client.post(
        URL, {"file": SimpleUploadedFile("x.geojson", b'{"type": "Feature"}')},
        HTTP_ACCEPT_LANGUAGE="es",
    )  # fmt: skip
    assert r.status_code == 400
    assert "se esperaba una FeatureCollection de GeoJSON" in r.content.decode()
    # The same upload in English keeps the English reasons.
    upload = SimpleUploadedFile("d.geojson", district_file(*bad))
    page = client.post(URL, {"file": upload}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Feature 3: district D1 appears twice; the first was kept" in page


def test_a_district_is_a_coded_area_like_a_beat(agency):
    """One abstract model (alerts.models.CodedArea) gives both tables the same columns; each
    keeps its own table, constraint and agency link (agency.beats, none for districts)."""
    from porchlight.alerts.models import Beat, CodedArea

    def columns(model):
        return {f.name: (type(f), f.null) for f in model._meta.concrete_fields}

    assert issubclass(District, CodedArea) and issubclass(Beat, CodedArea)
    assert columns(District) == columns(Beat)
    districts.import_geojson(agency, district_file())
    assert not hasattr(agency, "district_set") and agency.beats.count() == 0
    assert District.objects.get(code="D2").label == "South"
