"""Whatever a person types, geocode() answers a Match or None, never an exception (a 500)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from porchlight.geo.addresses import build
from porchlight.geo.geocode import geocode
from porchlight.geo.models import Address

WORDS = st.sampled_from(
    ["1234", "N", "North", "Main", "St", "Street", "Apt", "#5", "Unit", "CA", "93301", ",", "&",
     "½", "1st", "Ave", "Hwy", "99", "PO", "Box", "and", "corner", "of", "-", "ñ", "\x00", "'"]
)  # fmt: skip


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.one_of(st.text(max_size=120), st.lists(WORDS, max_size=12).map(" ".join)))
def test_any_text_is_a_match_or_none(agency: Any, text: str) -> None:
    if not Address.objects.filter(agency=agency).exists():
        Address.objects.bulk_create(
            [build(agency, number="1234", street="N Main St", lat=35.37, lon=-119.02)]
        )
    found = geocode(agency, text)
    assert found is None or found.label == "1234 N Main St"


@settings(max_examples=100, deadline=None)
@given(
    number=st.text(max_size=30),
    street=st.text(max_size=80),
    lat=st.floats(allow_nan=True),
    lon=st.floats(allow_nan=True),
)
def test_building_rows_from_any_file_content_never_raises(
    number: str, street: str, lat: float, lon: float
) -> None:
    from porchlight.agencies.models import Agency

    row = build(Agency(pk=1, slug="x"), number=number, street=street, lat=lat, lon=lon)
    assert row is None or (row.street and row.number and -90 <= row.lat <= 90)
