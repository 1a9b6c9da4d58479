"""The optional outside geocoder (Nominatim or Pelias), against a local HTTP server speaking
each one's API; the address table still answers first."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from porchlight.geo import h3index
from porchlight.geo.addresses import build
from porchlight.geo.geocode import geocode
from standins.builders import serve, shut

ASKED: list[tuple[str, dict[str, list[str]]]] = []


class Geocoders(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        ASKED.append((url.path, query))
        q = (query.get("q") or query.get("text") or [""])[0]
        if q.startswith("broken"):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<html>not json")
            return
        found = q.startswith("1600")
        if url.path == "/search":
            body: Any = (
                [
                    {
                        "lat": "35.3800",
                        "lon": "-119.0500",
                        "display_name": "1600 Elm St, Bakersfield",
                        "addresstype": "building",
                    }
                ]
                if found
                else []
            )
        elif url.path == "/v1/search":
            body = {
                "type": "FeatureCollection",
                "features": (
                    [
                        {
                            "geometry": {"type": "Point", "coordinates": [-119.05, 35.38]},
                            "properties": {
                                "label": "1600 Elm St, Bakersfield, CA",
                                "layer": "address",
                                "match_type": "exact",
                            },
                        }
                    ]
                    if found
                    else []
                ),
            }
        else:
            self.send_response(404)
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def server() -> Iterator[str]:
    running = serve(Geocoders)
    ASKED.clear()
    yield f"http://127.0.0.1:{running.server_address[1]}"
    shut(running)


@pytest.mark.parametrize("kind", ["nominatim", "pelias"])
def test_outside_geocoder_answers_what_the_table_lacks(settings, agency, server, kind) -> None:  # type: ignore[no-untyped-def]
    settings.PORCHLIGHT_GEOCODER, settings.PORCHLIGHT_GEOCODER_URL = kind, server
    found = geocode(agency, "1600 Elm St, Bakersfield CA")
    assert found is not None
    assert (found.lat, found.lon) == (35.38, -119.05)
    assert found.h3 == h3index.cell(35.38, -119.05)
    assert "1600 Elm St" in found.label and found.exact
    path, query = ASKED[-1]
    assert path == ("/search" if kind == "nominatim" else "/v1/search")
    assert (query.get("q") or query.get("text")) == ["1600 Elm St, Bakersfield CA"]


@pytest.mark.parametrize("kind", ["nominatim", "pelias"])
def test_outside_geocoder_miss_and_garbage_are_none(settings, agency, server, kind) -> None:  # type: ignore[no-untyped-def]
    settings.PORCHLIGHT_GEOCODER, settings.PORCHLIGHT_GEOCODER_URL = kind, server
    assert geocode(agency, "42 Nowhere Rd") is None
    assert geocode(agency, "broken 1 Main St") is None


def test_geocoder_down_is_a_miss(settings, agency) -> None:  # type: ignore[no-untyped-def]
    settings.PORCHLIGHT_GEOCODER, settings.PORCHLIGHT_GEOCODER_URL = (
        "nominatim",
        "http://127.0.0.1:9",
    )
    assert geocode(agency, "1600 Elm St") is None


def test_table_answers_before_the_outside_geocoder(settings, agency, server) -> None:  # type: ignore[no-untyped-def]
    settings.PORCHLIGHT_GEOCODER, settings.PORCHLIGHT_GEOCODER_URL = "nominatim", server
    row = build(agency, number="1600", street="Elm St", lat=35.1, lon=-119.1)
    assert row is not None
    row.save()
    found = geocode(agency, "1600 Elm Street")
    assert found is not None and found.lat == 35.1
    assert ASKED == []


def test_without_the_setting_nothing_is_asked(settings, agency, server) -> None:  # type: ignore[no-untyped-def]
    settings.PORCHLIGHT_GEOCODER = ""
    settings.PORCHLIGHT_GEOCODER_URL = server
    assert geocode(agency, "1600 Elm St") is None
    assert ASKED == []
