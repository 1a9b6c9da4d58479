"""Whatever an app sends, Open311 answers a spec document with a 2xx or 4xx, never a 500."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from porchlight.open311.tests.conftest import V2, filing

PARAMS = [
    "jurisdiction_id",
    "service_code",
    "lat",
    "long",
    "address_string",
    "description",
    "email",
    "phone",
    "media_url",
    "locale",
    "attribute[entry]",
    "attribute[value]",
    "attribute[plate]",
    "attribute[nope][]",
]
# Text that includes NUL and other controls, which the database or a parser may choke on.
ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(changes=st.dictionaries(st.sampled_from(PARAMS), ANY_TEXT, max_size=5))
def test_any_post_is_answered_in_the_spec_format(client, categories, open311_key, changes):
    response = client.post(V2 + "requests.json", filing(open311_key, **changes))
    assert response.status_code in (201, 400, 403, 404), response.content
    body = json.loads(response.content)
    assert isinstance(body, list) and body
    if response.status_code != 201:
        assert set(body[0]) == {"code", "description"}


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    params=st.dictionaries(
        st.sampled_from(
            ["service_request_id", "service_code", "status", "start_date", "end_date",
             "jurisdiction_id", "locale"]
        ),
        ANY_TEXT,
        max_size=4,
    )
)  # fmt: skip
def test_any_search_is_answered_in_the_spec_format(client, categories, params):
    response = client.get(V2 + "requests.xml", params)
    assert response.status_code in (200, 400, 404), response.content
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
