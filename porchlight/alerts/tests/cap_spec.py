"""Checks of a CAP 1.2 <alert> against the OASIS CAP 1.2 specification (sections 3.2–3.3),
element by element: order, cardinality, the code lists and the value formats. The OASIS XSD
could not be found in the reference index this project can reach, so these are the spec's
rules written out; they fail with the rule that was broken."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$")
NO_SPECIALS = re.compile(r"^[^\s,<&]+$")
PAIR = r"-?\d{1,2}(\.\d+)?,-?\d{1,3}(\.\d+)?"
POLYGON = re.compile(rf"^{PAIR}( {PAIR}){{3,}}$")
CIRCLE = re.compile(rf"^{PAIR} \d+(\.\d+)?$")

# (element, min, max) in the schema's sequence order.
ALERT = [
    ("identifier", 1, 1), ("sender", 1, 1), ("sent", 1, 1), ("status", 1, 1),
    ("msgType", 1, 1), ("source", 0, 1), ("scope", 1, 1), ("restriction", 0, 1),
    ("addresses", 0, 1), ("code", 0, None), ("note", 0, 1), ("references", 0, 1),
    ("incidents", 0, 1), ("info", 0, None),
]  # fmt: skip
INFO = [
    ("language", 0, 1), ("category", 1, None), ("event", 1, 1), ("responseType", 0, None),
    ("urgency", 1, 1), ("severity", 1, 1), ("certainty", 1, 1), ("audience", 0, 1),
    ("eventCode", 0, None), ("effective", 0, 1), ("onset", 0, 1), ("expires", 0, 1),
    ("senderName", 0, 1), ("headline", 0, 1), ("description", 0, 1), ("instruction", 0, 1),
    ("web", 0, 1), ("contact", 0, 1), ("parameter", 0, None), ("resource", 0, None),
    ("area", 0, None),
]  # fmt: skip
AREA = [
    ("areaDesc", 1, 1), ("polygon", 0, None), ("circle", 0, None), ("geocode", 0, None),
    ("altitude", 0, 1), ("ceiling", 0, 1),
]  # fmt: skip
CODES = {
    "status": {"Actual", "Exercise", "System", "Test", "Draft"},
    "msgType": {"Alert", "Update", "Cancel", "Ack", "Error"},
    "scope": {"Public", "Restricted", "Private"},
    "category": {"Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env",
                 "Transport", "Infra", "CBRNE", "Other"},
    "urgency": {"Immediate", "Expected", "Future", "Past", "Unknown"},
    "severity": {"Extreme", "Severe", "Moderate", "Minor", "Unknown"},
    "certainty": {"Observed", "Likely", "Possible", "Unlikely", "Unknown"},
}  # fmt: skip


def _sequence(parent: ET.Element, rules: list[tuple[str, int, int | None]], where: str) -> None:
    names = [child.tag for child in parent]
    for tag in names:
        assert tag.startswith(CAP), f"{where}: {tag} is not in the CAP 1.2 namespace"
    local = [tag[len(CAP) :] for tag in names]
    order = [name for name, _lo, _hi in rules]
    for name in local:
        assert name in order, f"{where}: <{name}> is not a CAP 1.2 element here"
    positions = [order.index(name) for name in local]
    assert positions == sorted(positions), f"{where}: elements out of the schema's order: {local}"
    for name, low, high in rules:
        count = local.count(name)
        assert count >= low, f"{where}: <{name}> is required"
        assert high is None or count <= high, f"{where}: <{name}> at most {high}"
    for child in parent:
        if len(child) == 0 and child.tag[len(CAP) :] not in ("info", "area"):
            assert (child.text or "").strip(), f"{where}: <{child.tag[len(CAP) :]}> is empty"


def check(root: ET.Element) -> None:
    assert root.tag == f"{CAP}alert", f"root is {root.tag}"
    _sequence(root, ALERT, "alert")
    value = {child.tag[len(CAP) :]: (child.text or "") for child in root}
    assert NO_SPECIALS.match(value["identifier"]), "identifier has a space, comma, < or &"
    assert NO_SPECIALS.match(value["sender"]), "sender has a space, comma, < or &"
    assert DATETIME.match(value["sent"]), f"sent {value['sent']!r} is not CAP's dateTime"
    for name in ("status", "msgType", "scope"):
        assert value[name] in CODES[name], f"{name} {value[name]!r}"
    if value["msgType"] in ("Update", "Cancel"):
        references = value.get("references", "")
        assert references, "an Update or Cancel must reference the original"
        for ref in references.split(" "):
            sender, identifier, sent = ref.split(",")
            assert NO_SPECIALS.match(sender) and NO_SPECIALS.match(identifier)
            assert DATETIME.match(sent), f"reference time {sent!r}"
    for info in root.findall(f"{CAP}info"):
        _sequence(info, INFO, "info")
        for name in ("urgency", "severity", "certainty"):
            text = info.findtext(f"{CAP}{name}")
            assert text in CODES[name], f"info/{name} {text!r}"
        for category in info.findall(f"{CAP}category"):
            assert category.text in CODES["category"], f"category {category.text!r}"
        for name in ("effective", "onset", "expires"):
            text = info.findtext(f"{CAP}{name}")
            assert text is None or DATETIME.match(text), f"info/{name} {text!r}"
        for area in info.findall(f"{CAP}area"):
            _sequence(area, AREA, "area")
            for polygon in area.findall(f"{CAP}polygon"):
                text = polygon.text or ""
                assert POLYGON.match(text), f"polygon {text[:60]!r}"
                pairs = text.split(" ")
                assert pairs[0] == pairs[-1], "a polygon's first and last points must match"
                for pair in pairs:
                    lat, lon = (float(x) for x in pair.split(","))
                    assert -90 <= lat <= 90 and -180 <= lon <= 180, pair
            for circle in area.findall(f"{CAP}circle"):
                assert CIRCLE.match(circle.text or ""), f"circle {circle.text!r}"
