"""A CAD simulator: realistic streams of CAD events for the demo, the tests and the benchmarks.

The model is small on purpose, but every part of it is something a dispatch floor shows:

- calls arrive as a Poisson process whose rate follows an hourly curve (quiet at 4 a.m., busy in
  the late afternoon and evening);
- each call has a type from a weighted mix (a small share sensitive), a priority, an address in a
  beat of a district, a caller (fictional 555-01xx numbers, a share of Spanish speakers) and a
  call taker;
- each beat has a few units; a call waits until a unit of its district is free, so dispatch
  delays grow when the queue grows, exactly when the evening peak outruns the units on shift;
- a dispatched call goes en route, on scene and clears with a disposition (RPT with a report
  number, GOA, UTL, ADV, CIT); some callers cancel while waiting.

Everything is drawn from one seeded random generator, so a seed gives the same stream. The
stream runs in simulated time (`Simulator.run(hours)`: a week of events in a second or two) or in
real time (`Simulator.live(speed)`: events yielded as the wall clock reaches them, durations
divided by the speed-up). `Params.fit(calls)` learns the mix, curve and delays from history.
"""

from __future__ import annotations

import heapq
import http.client
import json
import math
import random
import time
import urllib.parse
import zoneinfo
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from porchlight.calls.models import Status
from porchlight.demo.agency import CALL_TYPES, SENSITIVE_CALL_TYPES

# --- What a day in a mid-sized city looks like -----------------------------------------------

# Relative arrival rate by local hour: the trough is around 4 a.m., the peak late afternoon and
# evening (the shape published calls-for-service data shows for US cities).
HOURLY_CURVE = [
    0.75, 0.62, 0.52, 0.42, 0.36, 0.40, 0.55, 0.75, 0.92, 1.00, 1.05, 1.10,
    1.15, 1.18, 1.22, 1.30, 1.40, 1.48, 1.45, 1.38, 1.28, 1.15, 1.00, 0.88,
]  # fmt: skip

# Call-type weights: per 1,000 calls. Sensitive types together are about 4%.
TYPE_WEIGHTS = {
    "415": 120, "SUSP": 110, "911H": 90, "ALARM": 80, "WELF": 75, "TC": 70, "415N": 65,
    "459R": 50, "488": 50, "459V": 40, "594": 40, "PARK": 40, "10851": 35, "TCI": 25,
    "273.5": 18, "245IP": 8, "5150S": 6, "273A": 4, "261": 3, "187": 1,
}  # fmt: skip
# The priority each type usually gets, and the share that is one step more urgent.
TYPE_PRIORITY = {
    "415": "2", "SUSP": "2", "911H": "2", "ALARM": "2", "WELF": "2", "TC": "3", "415N": "3",
    "459R": "3", "488": "3", "459V": "4", "594": "4", "PARK": "4", "10851": "3", "TCI": "1",
    "273.5": "1", "245IP": "1", "5150S": "1", "273A": "2", "261": "2", "187": "1",
}  # fmt: skip
UPGRADE_SHARE = 0.1

# Dispositions and their weights by kind of call: report calls mostly end in a report.
REPORT_TYPES = {"459R", "459V", "488", "594", "10851", "TCI", "273.5", "261", "187", "273A"}
DISPOSITIONS_REPORT = {"RPT": 80, "ADV": 10, "GOA": 5, "UTL": 5}
DISPOSITIONS_OTHER = {"ADV": 40, "GOA": 20, "UTL": 15, "RPT": 15, "CIT": 10}

# Minutes, as (median, spread) of a log-normal: call taking to dispatch when a unit is free,
# dispatch to en route, en route to on scene, on scene to clear.
DISPATCH_BASE = {1: (1.5, 0.5), 2: (4.0, 0.6), 3: (10.0, 0.7), 4: (25.0, 0.7)}
ACKNOWLEDGE = (1.0, 0.6)
TRAVEL = (7.0, 0.5)
ON_SCENE = (30.0, 0.6)
CANCEL_SHARE = 0.12  # callers who call back to cancel while they wait
CANCEL_PATIENCE = (20.0, 0.8)  # how long a caller who cancels waited
PENDING_AFTER = 5.0  # minutes: a call not dispatched by then is marked pending

SPANISH_SHARE = 0.25
NO_CALLER_SHARE = 0.08  # alarms and officer-initiated calls have no caller to text
EMAIL_SHARE = 0.1
DO_NOT_CONTACT_SHARE = 0.02
JUVENILE_SHARE = 0.01

# Bakersfield-area geography: districts with a bounding box (lat, lon) and the streets in them.
# The boxes and beat names are illustrative, not the department's real beat map.
DISTRICTS: dict[str, dict[str, Any]] = {
    "Central": {
        "box": (35.360, 35.395, -119.050, -118.990),
        "streets": [
            "Truxtun Ave",
            "Chester Ave",
            "California Ave",
            "18th St",
            "21st St",
            "F St",
            "Eye St",
            "Golden State Ave",
            "Union Ave",
        ],
    },
    "East": {
        "box": (35.345, 35.400, -118.990, -118.900),
        "streets": [
            "Niles St",
            "Bernard St",
            "Mt Vernon Ave",
            "Oswell St",
            "Baker St",
            "Fairfax Rd",
            "Morning Dr",
            "Columbus St",
        ],
    },
    "Northwest": {
        "box": (35.370, 35.420, -119.200, -119.050),
        "streets": [
            "Rosedale Hwy",
            "Coffee Rd",
            "Calloway Dr",
            "Olive Dr",
            "Allen Rd",
            "Brimhall Rd",
            "Hageman Rd",
            "Jewetta Ave",
        ],
    },
    "Southwest": {
        "box": (35.300, 35.360, -119.150, -119.030),
        "streets": [
            "Ming Ave",
            "Stockdale Hwy",
            "Gosford Rd",
            "Buena Vista Rd",
            "White Ln",
            "Old River Rd",
            "Ashe Rd",
            "New Stine Rd",
        ],
    },
    "South": {
        "box": (35.270, 35.340, -119.030, -118.950),
        "streets": [
            "Panama Ln",
            "Wible Rd",
            "Hughes Ln",
            "Planz Rd",
            "Brundage Ln",
            "Cottonwood Rd",
            "S H St",
            "Akers Rd",
        ],
    },
}
BEATS_PER_DISTRICT = 3

SURNAMES = [
    "Garcia", "Martinez", "Hernandez", "Lopez", "Smith", "Johnson", "Nguyen", "Ramirez", "Brown",
    "Vega", "Davis", "Singh", "Torres", "Miller", "Flores", "Wilson", "Sandhu", "Castillo", "Moore",
    "Reyes", "Anderson", "Gomez", "Thomas", "Chavez", "Jackson", "Ortiz", "White", "Morales",
]  # fmt: skip

# How a CAD that speaks its own status codes would send them (the demo agency maps these).
CAD_STATUS_CODES: dict[str, str] = {
    Status.PENDING: "PEND",
    Status.DISPATCHED: "DISP",
    Status.ENROUTE: "ENRT",
    Status.ONSCENE: "ARV",
    Status.CLEARED: "CLR",
    Status.CANCELLED: "CAN",
}


@dataclass(frozen=True)
class Beat:
    name: str
    district: str
    box: tuple[float, float, float, float]
    streets: tuple[str, ...]


def beats() -> list[Beat]:
    """The beats of the simulated city: each district's box split west to east."""
    out = []
    for d, (name, spec) in enumerate(DISTRICTS.items(), start=1):
        lat0, lat1, lon0, lon1 = spec["box"]
        step = (lon1 - lon0) / BEATS_PER_DISTRICT
        for b in range(BEATS_PER_DISTRICT):
            box = (lat0, lat1, lon0 + b * step, lon0 + (b + 1) * step)
            out.append(Beat(f"B{d}{b + 1}", name, box, tuple(spec["streets"])))
    return out


@dataclass
class Params:
    """What the simulator draws from. The defaults describe a mid-sized US city."""

    calls_per_day: float = 500.0
    type_weights: dict[str, float] = field(default_factory=lambda: dict(TYPE_WEIGHTS))
    type_descriptions: dict[str, str] = field(
        default_factory=lambda: {**CALL_TYPES, **SENSITIVE_CALL_TYPES}
    )
    type_priority: dict[str, str] = field(default_factory=lambda: dict(TYPE_PRIORITY))
    # Rank of each priority code (1 most urgent), for the dispatch order and base delay.
    priority_ranks: dict[str, int] = field(default_factory=lambda: {"1": 1, "2": 2, "3": 3, "4": 4})
    hourly: list[float] = field(default_factory=lambda: list(HOURLY_CURVE))
    units_per_beat: int = 2
    cancel_share: float = CANCEL_SHARE
    spanish_share: float = SPANISH_SHARE
    # Fitted from history: minutes observed, drawn from instead of the log-normals when present.
    dispatch_samples: dict[int, list[float]] = field(default_factory=dict)
    travel_samples: list[float] = field(default_factory=list)
    on_scene_samples: list[float] = field(default_factory=list)
    disposition_weights: dict[str, float] = field(default_factory=dict)

    @classmethod
    def fit(
        cls, calls: Iterable[Any], time_zone: str = "America/Los_Angeles", max_samples: int = 5000
    ) -> Params:
        """Learn the mix, the hourly curve and the delays from Call rows (e.g. an imported history).

        `calls` is a Call queryset (or any iterable of Call-like objects). What history does not
        show keeps its default: a history without timestamps for dispatch keeps the default delays.
        """
        tz = zoneinfo.ZoneInfo(time_zone)
        if hasattr(calls, "select_related"):
            calls = calls.select_related("call_type", "priority")
        types: Counter[str] = Counter()
        descriptions: dict[str, str] = {}
        type_prio: dict[str, Counter[str]] = {}
        ranks: dict[str, int] = {}
        hours: Counter[int] = Counter()
        dispositions: Counter[str] = Counter()
        dispatch: dict[int, list[float]] = {}
        travel: list[float] = []
        on_scene: list[float] = []
        cancelled = n = 0
        first = last = None

        def minutes(a: datetime | None, b: datetime | None) -> float | None:
            if a is None or b is None or b < a:
                return None
            return (b - a).total_seconds() / 60

        for call in calls:
            n += 1
            start = call.received_at or call.first_event_at
            first = start if first is None or start < first else first
            last = start if last is None or start > last else last
            hours[start.astimezone(tz).hour] += 1
            code = call.call_type.code if call.call_type else None
            prio = call.priority.code if call.priority else None
            if code:
                types[code] += 1
                descriptions[code] = call.call_type.description or descriptions.get(code, "")
                if prio:
                    type_prio.setdefault(code, Counter())[prio] += 1
            rank = 3
            if prio:
                rank = call.priority.rank or 3
                ranks[prio] = rank
            if call.status == Status.CANCELLED:
                cancelled += 1
            if call.disposition and call.status == Status.CLEARED:
                dispositions[call.disposition] += 1
            if (m := minutes(start, call.dispatched_at)) is not None:
                dispatch.setdefault(rank, []).append(m)
            if (m := minutes(call.dispatched_at, call.onscene_at)) is not None:
                travel.append(m)
            if (m := minutes(call.onscene_at or call.dispatched_at, call.cleared_at)) is not None:
                on_scene.append(m)

        params = cls()
        if n == 0:
            return params
        if first is not None and last is not None:
            days = max((last - first).total_seconds() / 86400, 1.0)
            params.calls_per_day = n / days
        if types:
            params.type_weights = {c: float(k) for c, k in types.items()}
            params.type_descriptions = {**params.type_descriptions, **descriptions}
            params.type_priority = {c: k.most_common(1)[0][0] for c, k in type_prio.items()}
        if ranks:
            params.priority_ranks = ranks
        # Add-one smoothing: an hour that never had a call in a short history still can.
        mean = (n + 24) / 24
        params.hourly = [(hours[h] + 1) / mean for h in range(24)]
        params.cancel_share = cancelled / n
        params.disposition_weights = {d: float(k) for d, k in dispositions.items()}
        rng = random.Random(0)

        def cap(xs: list[float]) -> list[float]:
            return rng.sample(xs, max_samples) if len(xs) > max_samples else xs

        params.dispatch_samples = {r: cap(xs) for r, xs in dispatch.items()}
        params.travel_samples = cap(travel)
        params.on_scene_samples = cap(on_scene)
        return params


@dataclass
class Unit:
    id: str
    beat: str
    district: str
    officers: list[dict[str, str]]
    free_at: datetime


def _lognormal(rng: random.Random, median_spread: tuple[float, float]) -> float:
    median, spread = median_spread
    return median * math.exp(rng.gauss(0, spread))


class Simulator:
    """A seeded stream of CAD events (dicts shaped like the API's CadEvent)."""

    def __init__(
        self,
        seed: int = 1,
        start: datetime | None = None,
        params: Params | None = None,
        *,
        time_zone: str = "America/Los_Angeles",
        run_id: str | None = None,
        first_incident: int = 1,
        status_codes: dict[str, str] | None = None,
        call_at_start: bool = False,
    ) -> None:
        """
        run_id prefixes event ids, so two runs against one agency never reuse an id.
        first_incident numbers the first call; incident numbers read "YY-NNNNNN".
        status_codes maps Porchlight statuses to the CAD's own codes (e.g. CAD_STATUS_CODES).
        call_at_start makes the first call arrive at `start`, so a short demo always has one.
        """
        self.rng = random.Random(seed)
        self.tz = zoneinfo.ZoneInfo(time_zone)
        self.start = (start or datetime.now(self.tz)).astimezone(self.tz)
        self.params = params or Params()
        self.run_id = run_id or f"sim{seed}"
        self.status_codes = status_codes or {}
        self.call_at_start = call_at_start
        self.beats = beats()
        self.units = self._roster()
        self.call_takers = [f"CT{100 + i}" for i in range(12)]
        self._types = list(self.params.type_weights)
        self._type_w = [self.params.type_weights[t] for t in self._types]
        self._disp_w = self.params.disposition_weights
        self._next_incident = first_incident
        self._next_event = 1
        self._next_report = first_incident
        self._peak = max(self.params.hourly)
        self._mean_hourly = sum(self.params.hourly) / 24

    # --- the roster --------------------------------------------------------------------------

    def _roster(self) -> list[Unit]:
        units = []
        badge = 4100
        for d, beat in enumerate(self.beats):
            for u in range(self.params.units_per_beat):
                officers = []
                for _ in range(1 if self.rng.random() < 0.7 else 2):
                    badge += self.rng.randint(1, 9)
                    initial = chr(ord("A") + self.rng.randrange(26))
                    officers.append(
                        {
                            "id": f"P{badge}",
                            "name": f"Officer {initial}. {self.rng.choice(SURNAMES)}",
                        }
                    )
                district_no = beat.name[1]
                units.append(
                    Unit(
                        f"{district_no}A{d * 10 + u + 11}",
                        beat.name,
                        beat.district,
                        officers,
                        self.start,
                    )
                )
        return units

    # --- drawing one call ----------------------------------------------------------------------

    def _rate_per_minute(self, at: datetime) -> float:
        hour = at.astimezone(self.tz).hour
        return self.params.calls_per_day / 1440 * self.params.hourly[hour] / self._mean_hourly

    def _arrivals(self) -> Iterator[datetime]:
        """Call arrival times: a Poisson process thinned to the hourly curve."""
        peak = self.params.calls_per_day / 1440 * self._peak / self._mean_hourly
        t = self.start
        if self.call_at_start:
            yield t
        while True:
            t += timedelta(minutes=self.rng.expovariate(peak))
            if self.rng.random() < self._rate_per_minute(t) / peak:
                yield t

    def _minutes(self, samples: list[float], model: tuple[float, float]) -> float:
        if samples:
            return self.rng.choice(samples)
        return _lognormal(self.rng, model)

    def _stamp(self, at: datetime) -> str:
        return at.astimezone(self.tz).isoformat(timespec="seconds")

    def _status(self, status: Status) -> str:
        return self.status_codes.get(status, status.value)

    def _event(self, incident: str, at: datetime, status: Status, **fields: Any) -> dict[str, Any]:
        event = {
            "event_id": f"{self.run_id}-{self._next_event:08d}",
            "incident_number": incident,
            "event_time": self._stamp(at),
            "status": self._status(status),
            **fields,
        }
        self._next_event += 1
        return event

    def _caller(self, n: int) -> dict[str, Any] | None:
        if self.rng.random() < NO_CALLER_SHARE:
            return None
        caller: dict[str, Any] = {
            # 555-0100 to 555-0199 are reserved for fiction in every North American area code.
            "phone": f"661-555-01{self.rng.randrange(100):02d}",
            "language": "es" if self.rng.random() < self.params.spanish_share else "en",
        }
        if self.rng.random() < EMAIL_SHARE:
            caller["email"] = f"caller{n}@example.com"
        if self.rng.random() < DO_NOT_CONTACT_SHARE:
            caller["do_not_contact"] = True
        return caller

    def _place(self) -> tuple[Beat, dict[str, Any]]:
        beat = self.rng.choice(self.beats)
        lat0, lat1, lon0, lon1 = beat.box
        block = self.rng.randrange(1, 60) * 100 + self.rng.randrange(0, 99)
        location = {
            "address": f"{block} {self.rng.choice(beat.streets)}",
            "lat": round(self.rng.uniform(lat0, lat1), 5),
            "lon": round(self.rng.uniform(lon0, lon1), 5),
            "beat": beat.name,
            "district": beat.district,
        }
        return beat, location

    def _disposition(self, call_type: str) -> str:
        weights = self._disp_w or (
            DISPOSITIONS_REPORT if call_type in REPORT_TYPES else DISPOSITIONS_OTHER
        )
        codes = list(weights)
        return self.rng.choices(codes, [weights[c] for c in codes])[0]

    def _call(self, received: datetime) -> list[dict[str, Any]]:
        """One call's whole life, decided at arrival: units are taken in arrival order."""
        p = self.params
        n = self._next_incident
        self._next_incident += 1
        year = received.astimezone(self.tz).year % 100
        incident = f"{year:02d}-{n:06d}"
        call_type = self.rng.choices(self._types, self._type_w)[0]
        priority = p.type_priority.get(call_type) or self.rng.choice(list(p.priority_ranks))
        rank = p.priority_ranks.get(priority, 3)
        if rank > 1 and self.rng.random() < UPGRADE_SHARE:
            more_urgent = [c for c, r in p.priority_ranks.items() if r == rank - 1]
            if more_urgent:
                priority, rank = more_urgent[0], rank - 1
        beat, location = self._place()
        first: dict[str, Any] = {
            "call_type": call_type,
            "call_type_description": p.type_descriptions.get(call_type, ""),
            "priority": priority,
            "call_taker_id": self.rng.choice(self.call_takers),
            "location": location,
        }
        caller = self._caller(n)
        if caller is not None:
            first["caller"] = caller
        if self.rng.random() < JUVENILE_SHARE:
            first["juvenile"] = True
        events = [self._event(incident, received, Status.RECEIVED, **first)]

        # The queue: the unit of this district that frees up first takes the call (a unit from a
        # neighbouring beat needs a few more minutes to get there).
        ready = received + timedelta(
            minutes=self._minutes(
                p.dispatch_samples.get(rank, []), DISPATCH_BASE.get(rank, DISPATCH_BASE[3])
            )
        )
        candidates = [u for u in self.units if u.district == beat.district] or self.units
        unit = min(
            candidates,
            key=lambda u: (
                max(u.free_at, ready)
                + (timedelta() if u.beat == beat.name else timedelta(minutes=3)),
                u.id,
            ),
        )
        dispatched = max(ready, unit.free_at)

        # A caller left waiting long enough may call back to cancel.
        if self.rng.random() < p.cancel_share:
            patience = received + timedelta(minutes=max(1.0, _lognormal(self.rng, CANCEL_PATIENCE)))
            if patience < dispatched:
                if patience - received > timedelta(minutes=PENDING_AFTER):
                    events.append(
                        self._event(
                            incident, received + timedelta(minutes=PENDING_AFTER), Status.PENDING
                        )
                    )
                events.append(self._event(incident, patience, Status.CANCELLED, disposition="CAN"))
                return events
        if dispatched - received > timedelta(minutes=PENDING_AFTER):
            events.append(
                self._event(incident, received + timedelta(minutes=PENDING_AFTER), Status.PENDING)
            )

        units = [{"id": unit.id, "officers": unit.officers}]
        enroute = dispatched + timedelta(minutes=max(0.2, _lognormal(self.rng, ACKNOWLEDGE)))
        onscene = enroute + timedelta(minutes=max(1.0, self._minutes(p.travel_samples, TRAVEL)))
        cleared = onscene + timedelta(minutes=max(2.0, self._minutes(p.on_scene_samples, ON_SCENE)))
        unit.free_at = cleared
        events.append(self._event(incident, dispatched, Status.DISPATCHED, units=units))
        events.append(self._event(incident, enroute, Status.ENROUTE, units=units))
        events.append(self._event(incident, onscene, Status.ONSCENE, units=units))
        disposition = self._disposition(call_type)
        closing: dict[str, Any] = {"units": units, "disposition": disposition}
        if disposition == "RPT":
            closing["report_number"] = f"R{year:02d}-{self._next_report:06d}"
            self._next_report += 1
        events.append(self._event(incident, cleared, Status.CLEARED, **closing))
        return events

    # --- the stream ------------------------------------------------------------------------------

    def stream(self, until: datetime | None = None) -> Iterator[dict[str, Any]]:
        """Events in CAD-time order. With `until`, calls arriving before it, each played to its end."""
        heap: list[tuple[datetime, int, dict[str, Any]]] = []
        order = 0
        for arrival in self._arrivals():
            if until is not None and arrival >= until:
                break
            # Nothing later can happen before this arrival, so everything due by now is final.
            while heap and heap[0][0] <= arrival:
                yield heapq.heappop(heap)[2]
            for event in self._call(arrival):
                heapq.heappush(heap, (datetime.fromisoformat(event["event_time"]), order, event))
                order += 1
        while heap:
            yield heapq.heappop(heap)[2]

    def run(self, hours: float) -> list[dict[str, Any]]:
        """Calls arriving over `hours` of simulated time, with every event of each, in time order."""
        return list(self.stream(until=self.start + timedelta(hours=hours)))

    def live(
        self,
        speed: float = 60.0,
        *,
        hours: float | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        stop: Callable[[], bool] = lambda: False,
    ) -> Iterator[dict[str, Any]]:
        """Events as the wall clock reaches them, `speed` times faster than life.

        Event times are restamped to the moment they are yielded, so the CAD times a server sees
        are real ones: a 40-minute call at speed 60 is received, dispatched and cleared within
        40 seconds of wall time.
        """
        wall0 = clock()
        until = self.start + timedelta(hours=hours) if hours is not None else None
        for event in self.stream(until=until):
            sim_at = datetime.fromisoformat(event["event_time"])
            due = wall0 + (sim_at - self.start).total_seconds() / speed
            while (wait := due - clock()) > 0:
                if stop():
                    return
                sleep(min(wait, 0.25))
            if stop():
                return
            yield {**event, "event_time": self._stamp(datetime.fromtimestamp(due, self.tz))}


class Feeder:
    """Posts events to a Porchlight server's CAD endpoint, the way a CAD interface would.

    A batch that fails on the network or with a 5xx is retried with backoff, so no event is
    dropped on the way; a 4xx is a configuration error (wrong key, wrong agency) and stops.
    """

    def __init__(
        self, url: str, agency: str, key: str, *, timeout: float = 30.0, retries: int = 8
    ) -> None:
        self.endpoint = f"{url.rstrip('/')}/api/v1/agencies/{agency}/cad/events"
        self.key = key
        self.timeout = timeout
        self.retries = retries
        self.totals: Counter[str] = Counter()
        self._connection: http.client.HTTPConnection | None = None

    def _post(self, events: list[dict[str, Any]]) -> tuple[int, bytes]:
        """POST one batch on a kept-alive connection, with the standard library only (the
        product needs no HTTP client package). Closing is ours, so the server's port is left
        free when the demo stops (a server-side close would hold it in TIME_WAIT)."""
        target = urllib.parse.urlsplit(self.endpoint)
        if self._connection is None:
            kind = (
                http.client.HTTPSConnection
                if target.scheme == "https"
                else http.client.HTTPConnection
            )
            self._connection = kind(target.netloc, timeout=self.timeout)
        body = json.dumps({"events": events}).encode()
        headers = {"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"}
        try:
            self._connection.request("POST", target.path, body=body, headers=headers)
            response = self._connection.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.close()  # a fresh connection for the retry
            raise

    def send(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        delay = 0.25
        for attempt in range(self.retries + 1):
            try:
                status, raw = self._post(events)
            except (OSError, http.client.HTTPException):  # refused, reset, timed out
                if attempt == self.retries:
                    raise
            else:
                if status < 500 or attempt == self.retries:
                    break
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
        if status != 200:
            try:
                detail = json.loads(raw).get("detail", raw.decode(errors="replace"))
            except ValueError:
                detail = raw.decode(errors="replace")
            raise FeedError(status, detail)
        body: dict[str, Any] = json.loads(raw)
        for result in ("applied", "duplicate", "conflict", "rejected"):
            self.totals[result] += body[result]
        return body

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class FeedError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status
        self.detail = detail
