"""Publication: source records in, public incidents out.

Sources are producers in a registry, so the RMS (porchlight/cases) plugs in beside the CAD
without this module knowing either:

    from porchlight.publicmap import publish
    publish.register("rms", rms_producer, kind=Kind.OFFENSE, preference=2)

A producer answers two questions for one agency: which records began in a time window
(`due`), and what each of its codes is (`codes`: description and whether it is sensitive).
Everything public is decided here, once, for every source:

- nothing is published before the agency's delay has passed (MapSettings, default 1 hour);
- a code is published only under the category staff gave it (`CategoryMapping`; new codes
  arrive uncategorised, hidden), and a sensitive code never: its record gets no row at all,
  and rows already published under a code that becomes sensitive are deleted;
- the location is the hundred block's own point (the agency's address table), moved a fixed
  40–120 m by `geo.blocks.generalize`, never the record's point; without a block, the record's
  point snapped to a ~110 m grid, then moved the same way;
- when two producers publish the same CAD call (a call and the offense its report became),
  the one with the higher preference wins: RMS offenses are preferred over calls.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Avg
from django.utils import timezone

from porchlight.agencies.models import Agency
from porchlight.calls import sensitive as sensitive_terms
from porchlight.geo import blocks, h3index, normalize
from porchlight.geo.models import Address
from porchlight.publicmap.models import CategoryMapping, Kind, MapSettings, PublishedIncident

log = logging.getLogger(__name__)

# Without a hundred block, a record's own point is snapped to this grid (degrees; ~110 m of
# latitude) before the offset, so two calls at one house and the house itself never differ.
GRID = 0.001


@dataclass(frozen=True)
class Candidate:
    """One source record, as a producer hands it over. Nothing here is public yet."""

    key: str  # unique within the producer, e.g. the call's id
    code: str  # the source's type code: a CAD call type, an RMS offense code
    occurred_at: datetime
    address: str = ""  # "1234 Truxtun Ave": only its hundred block is ever used
    lat: float | None = None
    lon: float | None = None
    # A record-level reason to keep it off the map whatever its code (a juvenile call).
    withheld: bool = False
    call_id: int | None = None  # the CAD call it stands for, if any


@dataclass(frozen=True)
class Code:
    code: str
    description: str
    sensitive: bool
    # The category a new code starts with, when the producer knows better than the words of
    # its description (a NIBRS code); "" lets suggest_category() read the description.
    category: str = ""


@dataclass(frozen=True)
class Producer:
    source: str
    kind: str
    preference: int
    # (agency, since, until) → the records that began in (since, until]
    due: Callable[[Agency, datetime, datetime], Iterable[Candidate]]
    # agency → every code the source knows, with its sensitivity
    codes: Callable[[Agency], Iterable[Code]]


_producers: dict[str, Producer] = {}


def register(
    source: str,
    *,
    due: Callable[[Agency, datetime, datetime], Iterable[Candidate]],
    codes: Callable[[Agency], Iterable[Code]],
    kind: str = Kind.CALL,
    preference: int = 1,
) -> None:
    """Add (or replace) a producer. Called from an AppConfig.ready() or a module import."""
    _producers[source] = Producer(source, kind, preference, due, codes)


def producers() -> list[Producer]:
    return sorted(_producers.values(), key=lambda p: p.preference, reverse=True)


def delay(agency: Agency) -> timedelta:
    found = MapSettings.objects.filter(agency=agency).values_list("delay_minutes", flat=True)
    minutes = found[0] if found else settings.PUBLICMAP_DELAY_MINUTES
    return timedelta(minutes=minutes)


@dataclass
class Result:
    published: int = 0
    withheld: int = 0  # sensitive, uncategorised or withheld records seen in the window
    replaced: int = 0  # call rows removed because a preferred source published the call
    unpublished: int = 0  # rows removed because their code became sensitive
    by_source: dict[str, int] = field(default_factory=dict)


def run(
    agency: Agency,
    now: datetime | None = None,
    *,
    lookback: timedelta | None = None,
    since: datetime | None = None,
) -> Result:
    """Publish what is due for one agency. Idempotent: a record is published once.

    The window ends at now − delay and starts `lookback` earlier (settings, default 2 days, so
    an event that reached the CAD late still gets published), or at `since` for a backfill.
    """
    now = now or timezone.now()
    until = now - delay(agency)
    start = since or until - (lookback or timedelta(hours=settings.PUBLICMAP_LOOKBACK_HOURS))
    result = Result()
    for producer in producers():
        with transaction.atomic():
            mappings = _sync_codes(agency, producer, result)
            _publish(agency, producer, mappings, start, until, now, result)
    return result


def run_all(now: datetime | None = None) -> Result:
    total = Result()
    for agency in Agency.objects.order_by("pk"):
        one = run(agency, now)
        total.published += one.published
        total.withheld += one.withheld
        total.replaced += one.replaced
        total.unpublished += one.unpublished
    return total


def _sync_codes(agency: Agency, producer: Producer, result: Result) -> dict[str, CategoryMapping]:
    """Bring each code's mapping row up to date with the source's sensitivity; unpublish rows
    under codes that became sensitive. Returns the mappings by code."""
    mappings = {
        m.code: m for m in CategoryMapping.objects.filter(agency=agency, source=producer.source)
    }
    terms = agency.sensitive_terms
    for code in producer.codes(agency):
        # The agency's sensitive terms as well as the source's own flag: a type whose label
        # says "domestic" stays off the map even if someone cleared its flag by mistake.
        is_sensitive = code.sensitive or bool(
            sensitive_terms.matching_term(terms, code.code, code.description)
        )
        mapping = mappings.get(code.code)
        if mapping is None:
            mappings[code.code] = CategoryMapping.objects.create(
                agency=agency,
                source=producer.source,
                code=code.code,
                description=code.description[:200],
                category=""
                if is_sensitive
                else code.category or suggest_category(code.code, code.description),
                sensitive=is_sensitive,
            )
        elif mapping.sensitive != is_sensitive or mapping.description != code.description[:200]:
            mapping.sensitive = is_sensitive
            mapping.description = code.description[:200]
            mapping.save(update_fields=["sensitive", "description"])
    gone = [m.pk for m in mappings.values() if m.sensitive]
    if gone:
        deleted, _ = PublishedIncident.objects.filter(mapping_id__in=gone).delete()
        result.unpublished += deleted
    return mappings


def _publish(
    agency: Agency,
    producer: Producer,
    mappings: dict[str, CategoryMapping],
    start: datetime,
    until: datetime,
    now: datetime,
    result: Result,
) -> None:
    candidates = list(producer.due(agency, start, until))
    if not candidates:
        return
    done = set(
        PublishedIncident.objects.filter(
            agency=agency, source=producer.source, key__in=[c.key for c in candidates]
        ).values_list("key", flat=True)
    )
    fresh = [c for c in candidates if c.key not in done]
    calls = {c.call_id for c in fresh if c.call_id is not None}
    # Calls a more preferred producer has already published (an offense for this call).
    better = {p.source for p in producers() if p.preference > producer.preference}
    taken = set(
        PublishedIncident.objects.filter(call_id__in=calls, source__in=better).values_list(
            "call_id", flat=True
        )
        if calls and better
        else []
    )
    places = Places(agency)
    rows: list[PublishedIncident] = []
    for c in fresh:
        mapping = mappings.get(c.code)
        if mapping is None:  # a code the producer did not list: meet it now, uncategorised
            mapping = mappings[c.code] = CategoryMapping.objects.create(
                agency=agency, source=producer.source, code=c.code
            )
        if c.withheld or mapping.sensitive or c.call_id in taken:
            result.withheld += 1
            continue
        place = places.locate(c.address, c.lat, c.lon)
        if place is None:
            result.withheld += 1
            continue
        number, street, lat, lon = place
        rows.append(
            PublishedIncident(
                agency=agency,
                source=producer.source,
                key=c.key,
                kind=producer.kind,
                mapping=mapping,
                call_id=c.call_id,
                occurred_at=c.occurred_at,
                block_number=number,
                street=street,
                lat=lat,
                lon=lon,
                h3=h3index.cell(lat, lon),
                published_at=now,
            )
        )
    # Uncategorised codes get their rows too: the category is read at query time, so when
    # staff categorise a code its past incidents appear without another run.
    PublishedIncident.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    result.published += len(rows)
    result.by_source[producer.source] = result.by_source.get(producer.source, 0) + len(rows)
    replaced_calls = [r.call_id for r in rows if r.call_id is not None]
    if replaced_calls:
        worse = {p.source for p in producers() if p.preference < producer.preference}
        if worse:
            deleted, _ = PublishedIncident.objects.filter(
                agency=agency, call_id__in=replaced_calls, source__in=worse
            ).delete()
            result.replaced += deleted


class Places:
    """Public locations for one run, cached by block: a city's calls repeat the same blocks."""

    def __init__(self, agency: Agency) -> None:
        self.agency = agency
        self._blocks: dict[tuple[int, str], tuple[float, float] | None] = {}

    def locate(
        self, address: str, lat: float | None, lon: float | None
    ) -> tuple[int | None, str, float, float] | None:
        """(block number, street, public lat, public lon), or None when nothing places it."""
        block = parse_block(address)
        if block is not None:
            number, street_key, street = block
            point = self._block_point(number, street_key)
            if point is None and lat is not None and lon is not None:
                point = snap(lat, lon)
            if point is not None:
                key = f"{self.agency.pk}:{number}:{street_key}"
                return (number, street, *blocks.generalize(*point, key=key))
        if lat is None or lon is None:
            return None
        snapped = snap(lat, lon)
        return (None, "", *blocks.generalize(*snapped, key=f"{self.agency.pk}:{snapped}"))

    def _block_point(self, number: int, street_key: str) -> tuple[float, float] | None:
        cache_key = (number, street_key)
        if cache_key not in self._blocks:
            found = Address.objects.filter(
                agency=self.agency, street=street_key, number_int__range=(number, number + 99)
            ).aggregate(lat=Avg("lat"), lon=Avg("lon"))
            point = None
            if found["lat"] is not None and found["lon"] is not None:
                point = (float(found["lat"]), float(found["lon"]))
            self._blocks[cache_key] = point
        return self._blocks[cache_key]


def snap(lat: float, lon: float) -> tuple[float, float]:
    return round(round(lat / GRID) * GRID, 6), round(round(lon / GRID) * GRID, 6)


_ORDINAL = re.compile(r"^\d+(ST|ND|RD|TH)$")


def parse_block(address: str) -> tuple[int, str, str] | None:
    """ "1234 Truxtun Ave" → (1200, "TRUXTUN AVE", "Truxtun Ave"); None without a number and a
    street (an intersection, a highway mile marker). Units and cities are dropped."""
    if not address or not re.match(r"\s*\d", address):
        return None
    parts = normalize.parse(address[:200])
    if parts is None:
        return None
    digits = re.match(r"\d{1,7}", parts.number)
    if not digits:
        return None
    number = int(digits.group()) // 100 * 100
    key = normalize.street_key(parts.predir, parts.name, parts.suffix, parts.postdir)
    if not key:
        return None
    words = [w.lower() if _ORDINAL.match(w) else w.capitalize() for w in key.split()]
    words = [w.upper() if w.upper() in normalize.DIRECTIONS.values() else w for w in words]
    return number, key, " ".join(words)


# Words in a code's description → the category a new code starts with; staff adjust it in the
# admin. Order matters: the first match wins ("vehicle burglary" is vehicle crime).
_SUGGESTIONS: list[tuple[str, str]] = [
    (r"suspic", "suspicious"),
    (r"vehic|auto|car\b|10851|stolen veh", "vehicle"),
    (r"burglar|break.?in|459", "burglary"),
    (r"robber|211", "robbery"),
    (r"theft|larceny|shoplift|stolen|488|484", "theft"),
    (r"assault|battery|fight|242|245", "assault"),
    (r"vandal|graffiti|594", "vandalism"),
    (r"disturb|noise|party|415", "disturbance"),
    (r"traffic|collision|accident|dui|hit and run|\btc", "traffic"),
    (r"alarm", "alarm"),
]


def suggest_category(code: str, description: str) -> str:
    text = f"{code} {description}".lower()
    for pattern, category in _SUGGESTIONS:
        if re.search(pattern, text):
            return category
    return ""
