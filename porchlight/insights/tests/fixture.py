"""Six calls whose figures are counted by hand in the tests (times on the agency's clock,
America/Los_Angeles; 2026-11-16 is a Monday).

| call | began         | beat | dist | prio | type | →dispatched | →on scene | →cleared          | notice     |
| A1   | Mon 08:10     | B1   | D1   | 1    | 459R | 2 min 30 s  | 4 min     | 40 min            | sent       |
| A2   | Mon 08:50     | B1   | D1   | 1    | 459R | 60 s        | 8 min     | 20 min            |            |
| A3   | Mon 14:05     | B2   | D1   | 2    | 415  | 12 min      | 3 min     | 1 h 10 min        | delivered  |
| A4   | Tue 09:30     | B2   | D2   | 2    | 415  | 25 min      | –         | (time unknown)    |            |
| A5   | Tue 09:45     | B3   | D2   | 1    | 459R | –           | –         | –                 | suppressed |
| A6   | Tue 23:30     | B3   | D2   | 2    | 415  | 5 min       | 6 min     | 30 min            |            |
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from porchlight.agencies.models import PriorityCode
from porchlight.calls.models import Call, CallType, Status
from porchlight.notify.models import Channel, Contact, Outbox, State, Trigger

PACIFIC = ZoneInfo("America/Los_Angeles")
MONDAY = datetime(2026, 11, 16, tzinfo=PACIFIC)

M, S = timedelta(minutes=1), timedelta(seconds=1)
ROWS: list[tuple[str, datetime, str, str, str, str, Any, Any, Any, bool, str | None]] = [
    # incident, began, beat, district, priority, type, disp, scene, clear, unknown, notice
    ("A1", MONDAY + timedelta(hours=8, minutes=10), "B1", "D1", "1", "459R", 150 * S, 4 * M, 40 * M, False, State.SENT),
    ("A2", MONDAY + timedelta(hours=8, minutes=50), "B1", "D1", "1", "459R", 60 * S, 8 * M, 20 * M, False, None),
    ("A3", MONDAY + timedelta(hours=14, minutes=5), "B2", "D1", "2", "415", 12 * M, 3 * M, 70 * M, False, State.DELIVERED),
    ("A4", MONDAY + timedelta(days=1, hours=9, minutes=30), "B2", "D2", "2", "415", 25 * M, None, 120 * M, True, None),
    ("A5", MONDAY + timedelta(days=1, hours=9, minutes=45), "B3", "D2", "1", "459R", None, None, None, False, State.SUPPRESSED),
    ("A6", MONDAY + timedelta(days=1, hours=23, minutes=30), "B3", "D2", "2", "415", 5 * M, 6 * M, 30 * M, False, None),
]  # fmt: skip


def six_calls(agency: Any) -> dict[str, Call]:
    priorities = {
        code: PriorityCode.objects.get_or_create(agency=agency, code=code, defaults={"rank": int(code)})[0]
        for code in ("1", "2")
    }  # fmt: skip
    types = {
        code: CallType.objects.get_or_create(agency=agency, code=code)[0]
        for code in ("459R", "415")
    }
    contact = Contact.objects.create(agency=agency, channel=Channel.SMS, address_hash="h" * 64)
    out = {}
    for number, began, beat, district, prio, kind, disp, scene, clear, unknown, notice in ROWS:
        dispatched = began + disp if disp is not None else None
        onscene = dispatched + scene if dispatched is not None and scene is not None else None
        cleared = began + clear if clear is not None else None
        status = (
            Status.CLEARED if cleared else (Status.DISPATCHED if dispatched else Status.RECEIVED)
        )
        call = Call.objects.create(
            agency=agency, incident_number=number, call_type=types[kind],
            priority=priorities[prio], status=status, first_event_at=began,
            last_event_at=cleared or dispatched or began, received_at=began,
            dispatched_at=dispatched, onscene_at=onscene, cleared_at=cleared,
            cleared_time_unknown=unknown, beat=beat, district=district,
        )  # fmt: skip
        if notice is not None:
            Outbox.objects.create(
                agency=agency, contact=contact, channel=Channel.SMS, trigger=Trigger.DELAYED,
                call=call, dedupe_key=f"delay:{number}", state=notice, due_at=began + 15 * M,
                sent_at=began + 15 * M if notice != State.SUPPRESSED else None,
            )  # fmt: skip
        out[number] = call
    return out
