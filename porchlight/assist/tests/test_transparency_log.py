"""The public log (page, CSV, JSON): every request past its draft, the coarse area only, no
exact location and no resident's identity; filters by date and status."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client

from porchlight.alerts import beats
from porchlight.assist import flow
from porchlight.assist.models import Share

from .conftest import LAT, LON
from .test_sharing import resident_client, share_by_post


def beat_file() -> bytes:
    square = {"type": "Polygon", "coordinates": [[
        [LON - 0.01, LAT - 0.01], [LON + 0.01, LAT - 0.01], [LON + 0.01, LAT + 0.01],
        [LON - 0.01, LAT + 0.01], [LON - 0.01, LAT - 0.01]]]}  # fmt: skip
    feature = {"type": "Feature", "properties": {"BEAT": "3C", "name": "Beat 3C"},
               "geometry": square}  # fmt: skip
    return json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()


@pytest.fixture
def published(agency, sent, draft, detective, neighbor, media_storage):
    beats.import_geojson(agency, beat_file(), code_property="beat")
    places = [neighbor(LAT, LON, first_name="Rosalind") for _ in range(3)]
    item = sent(description="Footage of a white van on Elm St between 2 and 4 AM.")
    for place in places[:2]:
        share_by_post(resident_client(place.resident), item, consent_contact="on",
                      phone="661-555-0177")  # fmt: skip
    pending = draft(incident_type="Vandalism", neighborhood="Riverside", center=(LAT + 0.1, LON))
    flow.submit(pending, actor=detective)
    draft(incident_type="Secret draft")
    item.refresh_from_db()
    return item, pending, places


def forbidden_strings(item, places) -> list[str]:
    """What must never appear: the centre (as the log would print it), the radius, residents."""
    out = [f"{item.center_lat:.4f}", f"{item.center_lon:.4f}", f"{item.radius_m} m", "Rosalind",
           "661-555-0177"]  # fmt: skip
    for place in places:
        out += [place.resident.user.email, place.resident.user.username]
    return out


def test_the_page_lists_requests_with_a_coarse_area_only(client: Client, agency, published):
    item, pending, places = published
    page = client.get(f"/assist/{agency.slug}/").content.decode()
    assert "Beat 3C" in page and "Burglary" in page and "white van on Elm St" in page
    assert "Vandalism" in page and "Riverside" in page  # pending: listed, with its status
    assert "Secret draft" not in page
    assert ">2<" in page and ">3<" in page  # shares received, residents notified
    for text in forbidden_strings(item, places):
        assert text not in page, text


def test_the_json_says_the_same(client: Client, agency, published):
    item, pending, places = published
    response = client.get(f"/api/v1/agencies/{agency.slug}/assistance-requests")
    assert response.status_code == 200
    data = response.json()
    entries = {e["id"]: e for e in data["requests"]}
    assert set(entries) == {item.pk, pending.pk}
    sent_entry = entries[item.pk]
    assert sent_entry == {
        "id": item.pk, "date": sent_entry["date"], "area": "Beat 3C",
        "incident_type": "Burglary",
        "purpose": "Footage of a white van on Elm St between 2 and 4 AM.",
        "residents_notified": 3, "shares_received": 2, "status": "sent",
    }  # fmt: skip
    assert entries[pending.pk]["area"] == "Riverside"
    assert entries[pending.pk]["status"] == "pending"
    for text in forbidden_strings(item, places):
        assert text not in response.content.decode(), text


def test_filters_and_csv(client: Client, agency, published):
    item, pending, _ = published
    only_sent = client.get(f"/api/v1/agencies/{agency.slug}/assistance-requests?status=sent")
    assert [e["id"] for e in only_sent.json()["requests"]] == [item.pk]
    future = client.get(f"/api/v1/agencies/{agency.slug}/assistance-requests?from=2099-01-01")
    assert future.json()["requests"] == []
    bad = client.get(f"/api/v1/agencies/{agency.slug}/assistance-requests?from=yesterday")
    assert bad.status_code == 400 and "from" in bad.json()["detail"]
    assert client.get("/api/v1/agencies/nowhere/assistance-requests").status_code == 404

    response = client.get(f"/assist/{agency.slug}/log.csv?status=pending")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["date", "area", "incident_type", "purpose", "residents_notified",
                       "shares_received", "status"]  # fmt: skip
    assert [r[2] for r in rows[1:]] == ["Vandalism"]
    page = client.get(f"/assist/{agency.slug}/?status=pending&lang=es").content.decode()
    assert "Vandalism" in page and "Burglary" not in page and "Pendiente de aprobación" in page
    assert client.get(f"/assist/{agency.slug}/?to=nope").status_code == 400


def test_the_openapi_document_lists_the_log(client: Client):
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/agencies/{slug}/assistance-requests"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"slug", "from", "to", "status"} <= names
    assert "LogEntry" in json.dumps(spec["components"])


def test_withdrawn_shares_still_count_as_received(client: Client, agency, published):
    item, _, places = published
    made = Share.objects.filter(resident=places[0].resident).get()
    resident_client(places[0].resident).post(f"/n/{agency.slug}/assist/shares/{made.pk}/withdraw")
    data = client.get(f"/api/v1/agencies/{agency.slug}/assistance-requests?status=sent").json()
    assert data["requests"][0]["shares_received"] == 2
