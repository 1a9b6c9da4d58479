"""Property: whatever a CAD sends, each event ends as applied, a duplicate, a conflict or a
typed rejection with a reason; never an exception, never a lost batch (both engines)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from porchlight.calls.intake import Feed, ingest
from standins.builders import cad_event

RESULTS = {"applied", "duplicate", "conflict", "rejected"}

zones = st.builds(
    lambda minutes: timezone(timedelta(minutes=minutes)),
    st.integers(min_value=-14 * 60 + 1, max_value=14 * 60 - 1),
)
any_time = st.builds(
    lambda at, zone: at.replace(tzinfo=zone).isoformat(),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)),
    zones,
)
recent_time = st.builds(
    lambda at: at.isoformat(),
    st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2026, 1, 1), timezones=st.just(UTC)
    ),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),  # JSON has no NaN; orjson refuses it
    st.text(max_size=300),
    st.text(alphabet=st.sampled_from("ab\x00\\u0"), max_size=10),
    any_time,
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = [
    "event_id", "incident_number", "ori", "call_type", "call_type_description", "priority",
    "event_time", "status", "units", "call_taker_id", "disposition", "location", "caller",
    "juvenile", "report_number", "extra_field",
]  # fmt: skip
locations = st.fixed_dictionaries(
    {},
    optional={
        "address": values,
        "lat": st.one_of(st.floats(allow_nan=False), values),
        "lon": st.one_of(st.floats(allow_nan=False), values),
        "beat": values,
        "district": values,
    },
)
callers = st.fixed_dictionaries(
    {}, optional={"phone": values, "email": values, "language": values, "do_not_contact": values}
)


@st.composite
def events(draw):
    event = cad_event(
        draw(st.integers(0, 50)),
        incident=f"26-{draw(st.integers(0, 5)):06d}",
        status=draw(st.sampled_from(["received", "dispatched", "cleared", "NOPE", "onscene"])),
        at=draw(recent_time),
    )
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=4, unique=True)):
        if name == "location":
            event[name] = draw(st.one_of(locations, values))
        elif name == "caller":
            event[name] = draw(st.one_of(callers, values))
        elif name == "event_time":
            event[name] = draw(st.one_of(any_time, values))
        else:
            event[name] = draw(values)
    if draw(st.booleans()):
        return draw(values)  # not even an object, sometimes
    return event


@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(events(), min_size=1, max_size=8))
def test_any_event_ends_applied_or_typed(agency, batch):
    feed = Feed(agency=agency, source="fuzz", covered={agency.ori: agency})
    outcomes, _ = ingest(feed, batch)
    assert [o.index for o in outcomes] == list(range(len(batch)))
    for outcome in outcomes:
        assert outcome.result in RESULTS
        assert outcome.reason and "\x00" not in outcome.reason
