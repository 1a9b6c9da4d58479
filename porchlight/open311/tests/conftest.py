from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from porchlight.agencies.models import Agency
from porchlight.reports.demo import seed_categories
from porchlight.reports.models import Category
from standins.builders import make_agency

V2 = "/open311/v2/"


@pytest.fixture
def categories(agency: Agency) -> list[Category]:
    return seed_categories(agency)


@pytest.fixture
def other_agency(db: None) -> Agency:
    return make_agency(slug="kern", name="Kern County Sheriff", ori="CA0150000")


def xml(response) -> ET.Element:
    assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
    return ET.fromstring(response.content)


def error_of(response, fmt: str) -> tuple[int, str]:
    """The spec's error document, in either format: (code, description)."""
    if fmt == "json":
        [error] = response.json()
        return error["code"], error["description"]
    root = xml(response)
    assert root.tag == "errors"
    [error] = root.findall("error")
    return int(error.findtext("code")), error.findtext("description")


@pytest.fixture
def open311_key(agency: Agency) -> str:
    from standins.builders import make_key

    return make_key(agency, source="open311")[1]


@pytest.fixture
def address(agency: Agency):
    from porchlight.reports.tests.conftest import add_address

    return add_address(agency)


def filing(key: str, **extra: object) -> dict[str, object]:
    """A POST requests body as an app sends it (form-encoded, as the spec says)."""
    data: dict[str, object] = {
        "api_key": key,
        "jurisdiction_id": "bakersfield",
        "service_code": "vehicle-burglary",
        "lat": "35.3801",
        "long": "-119.0213",
        "description": "Window smashed, backpack taken.",
        "email": "pat@example.org",
        "attribute[entry]": "window",
        "attribute[plate]": "8ABC123",
        "attribute[value]": "120.50",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}
