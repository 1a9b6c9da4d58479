"""Fixtures for the reports tests: the demo's categories, and staff signed in to the admin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from porchlight.agencies.models import Agency, Role
from porchlight.agencies.tests.conftest import make_user, sign_in
from porchlight.reports.demo import seed_categories
from porchlight.reports.models import Category
from standins.builders import make_agency


@pytest.fixture
def categories(agency: Agency) -> list[Category]:
    return seed_categories(agency)


@pytest.fixture
def other_agency(db: None) -> Agency:
    return make_agency(slug="kern", name="Kern County Sheriff", ori="CA0150000")


@pytest.fixture
def signed_in(agency: Agency) -> Callable[..., Client]:
    def build(username: str = "ada", role: str = Role.ADMIN, *, of: Any = None) -> Client:
        _, secret = make_user(username, agency=of or agency, role=role)
        client = Client()
        assert sign_in(client, username, secret).status_code == 302
        return client

    return build


def add_address(agency: Agency, number: int = 1600, street: str = "TRUXTUN", suffix: str = "AVE"):
    """One row in the agency's address table, so a typed address geocodes."""
    from porchlight.geo import h3index
    from porchlight.geo.models import Address

    lat, lon = 35.37329, -119.01871
    return Address.objects.create(
        agency=agency,
        number=str(number),
        number_int=number,
        street=f"{street} {suffix}",
        street_name=street,
        label=f"{number} {street.title()} {suffix.title()}",
        lat=lat,
        lon=lon,
        h3=h3index.cell(lat, lon),
    )


@pytest.fixture
def address(agency: Agency) -> Any:
    return add_address(agency)
