"""No link, and no page, for calls the public must not see."""

from __future__ import annotations

import pytest

from porchlight.calls.models import TrackLink
from porchlight.calls.tests.track_calls import PHONE, apply, received
from porchlight.calls.track import link_for, refusal

EXCLUDED = {
    "sensitive call type": dict(call_type="273.5"),
    "unmapped call type": dict(call_type="NEWCODE", call_type_description="Something new"),
    "no call type": dict(call_type=None),
    "juvenile": dict(juvenile=True),
    "do not contact": dict(caller={"phone": PHONE, "do_not_contact": True}),
}


@pytest.mark.parametrize("fields", EXCLUDED.values(), ids=EXCLUDED.keys())
def test_excluded_calls_get_no_link(agency, fields):
    call = apply(agency, received(**fields))
    assert refusal(call)
    assert link_for(call) is None
    assert not TrackLink.objects.exists()


def test_history_imports_get_no_link(agency):
    call = apply(agency, received(), historical=True)
    assert refusal(call) == "historical call"
    assert link_for(call) is None
    assert not TrackLink.objects.exists()


def test_an_ordinary_call_gets_one(agency):
    call = apply(agency, received())
    assert refusal(call) == ""
    assert link_for(call) is not None
