"""RMS offenses on the public map: reported crimes, preferred over the CAD call they came from,
and never a sensitive offense."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from porchlight.cases.open import open_case
from porchlight.publicmap import publish
from porchlight.publicmap.models import CategoryMapping, Kind, PublishedIncident
from porchlight.publicmap.tests.builders import BLOCK_LAT, make_call, truxtun_block

pytestmark = pytest.mark.django_db


def case(agency, offense_code="220", offense="Burglary/Breaking & Entering", **fields):
    fields.setdefault("occurred_at", timezone.now() - timedelta(hours=3))
    return open_case(
        agency,
        source=fields.pop("source", "rms"),
        offense_code=offense_code,
        offense=offense,
        address=fields.pop("address", "1240 Truxtun Ave"),
        lat=BLOCK_LAT,
        lon=-119.0076,
        notify=False,
        **fields,
    )


def test_an_rms_offense_is_a_reported_crime(agency):
    truxtun_block(agency)
    opened = case(agency)
    publish.run(agency)
    row = PublishedIncident.objects.get(source="rms")
    assert (row.key, row.kind, row.block_number, row.street) == (
        str(opened.pk), Kind.OFFENSE, 1200, "Truxtun Ave",
    )  # fmt: skip
    assert row.mapping.category == "burglary"  # from the NIBRS code
    assert (row.lat, row.lon) != (opened.lat, opened.lon)


def test_the_offense_replaces_the_call_it_came_from(agency):
    call = make_call(agency, "459R", ago=timedelta(hours=4))
    publish.run(agency)
    assert PublishedIncident.objects.get().source == "cad"
    case(agency, incident_numbers=[call.incident_number])
    result = publish.run(agency)
    assert result.replaced == 1
    [row] = PublishedIncident.objects.all()
    assert (row.source, row.kind, row.call_id) == ("rms", Kind.OFFENSE, call.pk)


def test_a_call_whose_offense_is_published_first_is_not_published_again(agency):
    call = make_call(agency, "459R", ago=timedelta(hours=4))
    case(agency, incident_numbers=[call.incident_number])
    result = publish.run(agency)  # RMS runs first: preferred
    assert result.withheld == 1 and result.replaced == 0
    assert list(PublishedIncident.objects.values_list("source", flat=True)) == ["rms"]


@pytest.mark.parametrize(
    ("code", "offense"),
    [("09A", "Murder & Nonnegligent Manslaughter"), ("11A", "Rape"), ("13C", "Intimidation"),
     ("64A", "Human Trafficking, Commercial Sex Acts")],
)  # fmt: skip
def test_sensitive_offenses_are_never_published(agency, code, offense):
    case(agency, code, offense)
    assert publish.run(agency).published == 0
    assert CategoryMapping.objects.get(source="rms", code=code).sensitive


def test_domestic_violence_cases_and_other_sources_are_left_out(agency):
    case(agency, "13B", "Simple Assault", domestic_violence=True)
    case(agency, "23C", "Shoplifting", source="online")
    case(agency, "13A", "Aggravated Assault", occurred_at=timezone.now() - timedelta(minutes=20))
    assert publish.run(agency).published == 0  # the last is still within the hour
    assert publish.run(agency, timezone.now() + timedelta(hours=1)).published == 1
