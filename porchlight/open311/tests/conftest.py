from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from porchlight.agencies.models import Agency
from porchlight.reports.demo import seed_categories
from porchlight.reports.models import Category
from porchlight.standins.builders import make_agency

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
