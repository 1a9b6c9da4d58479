"""The track page says how a call ended in the agency's words, never the raw code."""

from urllib.parse import urlsplit

import pytest

from porchlight.agencies.models import Disposition
from porchlight.calls.tests.track_calls import apply, later, received
from porchlight.calls.track import link_for


@pytest.mark.django_db
def test_agency_wording_and_language(client, agency):
    Disposition.objects.create(
        agency=agency,
        code="UTL",
        wording={"en": "We could not find the problem.", "es": "No encontramos el problema."},
    )
    call = apply(
        agency, received(1), later(2, "cleared", "2026-11-22T15:00:00-08:00", disposition="UTL")
    )
    path = urlsplit(link_for(call)).path
    english = client.get(path + "?lang=en").content.decode()
    assert "We could not find the problem." in english and "UTL" not in english
    assert "No encontramos el problema." in client.get(path + "?lang=es").content.decode()
