"""Property: whatever an export row holds, the mapping turns it into events and notes, never an
exception (times in each accepted format, combined date and time columns, value maps, the
closing rule); a row without a note makes only events that intake's schema accepts."""

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from porchlight.calls.importing.mapping import Mapping
from porchlight.calls.schemas import CadEvent

MAPPING = Mapping.from_dict(
    "generic",
    {
        "columns": {
            "incident_number": "Inc",
            "call_type": ["Final", "Initial"],
            "priority": "Pri",
            "disposition": "Disp",
            "status": "State",
            "lat": "Lat",
            "lon": "Lon",
        },
        "times": {
            "received": {"date": "Date", "time": "Time"},
            "dispatched": "Dispatched",
            "onscene": "Arrived",
        },
        "time_formats": ["%m/%d/%Y %I:%M:%S %p", "%b %d %Y %I:%M:%S:%f%p"],
        "date_order": "month_first",
        "values": {
            "priority": {"E": 1, "U": 2},
            "status": {"closed": "cleared", "can": "cancelled", "open": "dispatched"},
        },
        "cancelled_dispositions": ["CAN"],
        "close_without_cleared_time": "last_time",
    },
)
HEADER = [
    "Inc",
    "Final",
    "Initial",
    "Pri",
    "Disp",
    "State",
    "Lat",
    "Lon",
    "Date",
    "Time",
    "Dispatched",
    "Arrived",
]

moments = st.datetimes(min_value=datetime(1850, 1, 1), max_value=datetime(2200, 1, 1))
time_texts = st.one_of(
    moments.map(lambda d: d.strftime("%m/%d/%Y %I:%M:%S %p")),
    moments.map(lambda d: d.strftime("%b %d %Y %I:%M:%S:000%p")),
    moments.map(lambda d: d.isoformat()),
    st.text(max_size=25),
    st.just(""),
)
cells = {
    "Inc": st.one_of(st.text(max_size=45), st.from_regex(r"\A2023\d{9}\Z")),
    "Final": st.text(max_size=220),
    "Initial": st.text(max_size=30),
    "Pri": st.sampled_from(["E", "u", "9Z", "", "x" * 20]),
    "Disp": st.sampled_from(["CAN", "RPT", "", "can"]),
    "State": st.sampled_from(["Closed", "OPEN", "can", "Pending", ""]),
    "Lat": st.one_of(st.floats(allow_nan=False).map(str), st.text(max_size=6)),
    "Lon": st.one_of(st.floats(allow_nan=False).map(str), st.text(max_size=6)),
    "Date": st.one_of(
        moments.map(lambda d: d.strftime("%m/%d/%Y")),
        moments.map(lambda d: d.strftime("%m/%d/%Y 12:00:00 AM")),
        st.text(max_size=12),
    ),
    "Time": st.one_of(
        moments.map(lambda d: d.strftime("%H:%M:%S")),
        moments.map(lambda d: d.strftime("%I:%M %p")),
        st.text(max_size=8),
    ),
    "Dispatched": time_texts,
    "Arrived": time_texts,
}
rows = st.fixed_dictionaries({k: st.one_of(v, st.none()) for k, v in cells.items()})


@settings(max_examples=300, deadline=None)
@given(row=rows)
def test_any_row_ends_in_events_and_notes(row):
    converter = MAPPING.bind(HEADER, "America/Los_Angeles")
    events, notes, codes = converter.convert_coded(row)
    assert events and len(notes) == len(codes)
    if notes:
        return
    for event in events:
        try:
            CadEvent.model_validate(event)
        except ValidationError as exc:
            # Intake's own limits (lengths, coordinates) are the only rejections left.
            assert all(
                e["loc"][0] in ("incident_number", "call_type", "priority", "location", "event_id")
                for e in exc.errors()
            ), exc
