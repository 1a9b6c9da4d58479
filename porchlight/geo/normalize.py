"""Address normalization shared by the import and the geocoder: both sides of a match go
through the same functions, so "1234 North Main Street" meets "1234 N MAIN ST"."""

from __future__ import annotations

import re
from dataclasses import dataclass

import usaddress

DIRECTIONS = {
    "NORTH": "N", "SOUTH": "S", "EAST": "E", "WEST": "W",
    "NORTHEAST": "NE", "NORTHWEST": "NW", "SOUTHEAST": "SE", "SOUTHWEST": "SW",
    "NO": "N", "SO": "S",
}  # fmt: skip
# USPS Publication 28 suffixes, the common ones (and their frequent misspellings).
STREET_TYPES = {
    "STREET": "ST", "STR": "ST", "AVENUE": "AVE", "AV": "AVE", "AVN": "AVE",
    "BOULEVARD": "BLVD", "BOUL": "BLVD", "DRIVE": "DR", "DRV": "DR", "ROAD": "RD",
    "LANE": "LN", "COURT": "CT", "PLACE": "PL", "CIRCLE": "CIR", "CIRC": "CIR",
    "HIGHWAY": "HWY", "PARKWAY": "PKWY", "PKY": "PKWY", "TERRACE": "TER",
    "TRAIL": "TRL", "WAY": "WAY", "SQUARE": "SQ", "ALLEY": "ALY", "EXPRESSWAY": "EXPY",
    "FREEWAY": "FWY", "LOOP": "LOOP", "PLAZA": "PLZ", "CROSSING": "XING", "RUN": "RUN",
    "POINT": "PT", "COVE": "CV", "HILL": "HL", "HILLS": "HLS", "PIKE": "PIKE",
}  # fmt: skip
ORDINALS = {
    "FIRST": "1ST", "SECOND": "2ND", "THIRD": "3RD", "FOURTH": "4TH", "FIFTH": "5TH",
    "SIXTH": "6TH", "SEVENTH": "7TH", "EIGHTH": "8TH", "NINTH": "9TH", "TENTH": "10TH",
}  # fmt: skip


def _words(text: str) -> list[str]:
    return re.sub(r"[^\w\s½-]", " ", text.upper()).split()


def direction(text: str) -> str:
    word = "".join(_words(text))
    return DIRECTIONS.get(word, word)


def street_type(text: str) -> str:
    word = "".join(_words(text))
    return STREET_TYPES.get(word, word)


def name(text: str) -> str:
    return " ".join(ORDINALS.get(w, w) for w in _words(text))


def number(text: str) -> str:
    return "".join(_words(text))


@dataclass(frozen=True)
class Parts:
    number: str
    predir: str
    name: str
    suffix: str
    postdir: str
    unit: str = ""
    city: str = ""
    state: str = ""
    postcode: str = ""

    @property
    def street(self) -> str:
        return " ".join(p for p in (self.predir, self.name, self.suffix, self.postdir) if p)


def street_key(predir: str, street_name: str, suffix: str, postdir: str = "") -> str:
    return " ".join(
        p
        for p in (direction(predir), name(street_name), street_type(suffix), direction(postdir))
        if p
    )


def parse(text: str) -> Parts | None:
    """usaddress's reading of a typed address, normalized; None when it finds no street."""
    try:
        tagged, _kind = usaddress.tag(text)
    except usaddress.RepeatedLabelError:
        return None
    street_name = tagged.get("StreetName", "")
    # "Avenue B", "Highway 99": usaddress puts the type before the name.
    pretype = tagged.get("StreetNamePreType", "")
    if pretype:
        street_name = f"{pretype} {street_name}"
    if not street_name or not tagged.get("AddressNumber"):
        return None
    return Parts(
        number=number(tagged["AddressNumber"]),
        predir=direction(tagged.get("StreetNamePreDirectional", "")),
        name=name(street_name),
        suffix=street_type(tagged.get("StreetNamePostType", "")),
        postdir=direction(tagged.get("StreetNamePostDirectional", "")),
        unit=number(tagged.get("OccupancyIdentifier", "")),
        city=name(tagged.get("PlaceName", "")),
        state=name(tagged.get("StateName", ""))[:2],
        postcode=number(tagged.get("ZipCode", ""))[:5],
    )
