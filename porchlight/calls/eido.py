"""NENA EIDO (Emergency Incident Data Object, NENA-STA-021) → Porchlight's CAD event.

An EIDO is the standard JSON a CAD, an NG9-1-1 system or another PSAP sends about an
incident. Porchlight takes from it only what a call update needs, and never guesses:

| CAD event field | from the EIDO |
|---|---|
| incident_number | `incidentTrackingIdentifier` (the `urn:emergency:uid:incidentid:` prefix dropped) |
| call_type, call_type_description | `incidentComponent[0].incidentTypeInternalCode` (else `incidentTypeCommonRegistryText`), `incidentTypeInternalText` |
| priority | `incidentPriorityInternalText`, else `incidentCommonPriorityNumber`, through the agency's priority codes |
| status | the last of `incidentStatusInternalText`, through the agency's status codes |
| caller.phone | a `tel:` URI of the callback component the caller's person component points at |
| location | a civic address, or a geodetic point (`gml:pos`), from the PIDF-LO XML in `locationByValue` |
| event_time | `LastUpdateTimeStamp` (or `lastUpdateTimeStamp`: both spellings are in NENA's samples) |
| ori | the agency the incident component's `updatedByAgencyReference` (else the document's) points at, when its identifier is an ORI (`CA0150200`, or a URN ending `:CA0150200`) |

Routing follows the native events' rules (calls/intake.py): a document naming no ORI, or the
keyed agency's, belongs to the agency in the URL; one naming another agency's ORI goes to that
agency when the key covers it, and is rejected ("not covered by this key") when it does not.
NENA agency identifiers are often domain names ("state.pa.us"): those name no ORI, and the
document stays with the agency in the URL.

The reason for the issue (`reasonForIssueRegistryText`) and the EIDO's `$id` are kept in the
event's payload. An EIDO without one of the fields Porchlight needs (the incident, its status,
the time) is quarantined with a reason that names the field.

The PIDF-LO is XML from outside: it is read with defusedxml, so a DTD, entity expansion or an
external reference is refused, never resolved.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import orjson
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from porchlight.calls import reasons

INCIDENT_PREFIX = "urn:emergency:uid:incidentid:"
_CIVIC = "{urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr}"
_GML_POS = "{http://www.opengis.net/gml}pos"
# PIDF-LO civic address elements (RFC 5139), in the order a US street address reads.
_STREET = ("HNO", "HNS", "PRD", "RD", "STS", "POD")
# Porchlight's incident number column holds 40 characters.
MAX_INCIDENT = 40
MAX_PRIORITY = 16


class Missing(Exception):
    """The EIDO lacks a field Porchlight needs, or it cannot be read; the message says which."""


def _missing(field: str) -> Missing:
    return Missing(reasons.text("eido_missing", field=field))


def _bad(field: str, detail: str) -> Missing:
    return Missing(reasons.text("eido_bad", field=field, detail=detail))


def _first(component: Any) -> dict[str, Any] | None:
    """EIDO components are lists; some senders send one object."""
    if isinstance(component, list):
        return next((c for c in component if isinstance(c, dict)), None)
    return component if isinstance(component, dict) else None


def _all(component: Any) -> list[dict[str, Any]]:
    if isinstance(component, list):
        return [c for c in component if isinstance(c, dict)]
    return [component] if isinstance(component, dict) else []


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = next(
            (v for v in reversed(value) if isinstance(v, str | int) and str(v).strip()), ""
        )
    if isinstance(value, bool) or value is None:
        return ""
    return str(value).strip() if isinstance(value, str | int | float) else ""


def _ref(value: Any) -> str:
    return value.get("$ref", "") if isinstance(value, dict) else ""


def event_id(doc: dict[str, Any]) -> str:
    """The same document sent twice is a duplicate; any change makes it a new event."""
    digest = hashlib.sha256(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return f"eido-{digest[:40]}"


def _incident(doc: dict[str, Any]) -> str:
    tracking = _text(doc.get("incidentTrackingIdentifier"))
    if not tracking:
        raise _missing("incidentTrackingIdentifier")
    number = tracking.removeprefix(INCIDENT_PREFIX)
    if len(number) > MAX_INCIDENT:
        raise _bad("incidentTrackingIdentifier", f"longer than {MAX_INCIDENT} characters")
    return number


def _callback_phone(doc: dict[str, Any], warnings: list[str]) -> str:
    """A tel: URI of the caller's callback component: the person whose role is Caller points
    at it. Without a caller, no number: a callback of someone else is not the caller's."""
    callbacks = {c.get("$id"): c for c in _all(doc.get("callbackComponent"))}
    for person in _all(doc.get("personComponent")):
        roles = person.get("personIncidentRoleRegistryText")
        roles = roles if isinstance(roles, list) else [roles]
        if not any(isinstance(r, str) and r.strip().lower() == "caller" for r in roles):
            continue
        callback = callbacks.get(_ref(person.get("callBackReference")))
        if callback is None:
            continue
        uris = callback.get("callBackInformationUri")
        for uri in uris if isinstance(uris, list) else [uris]:
            if isinstance(uri, str) and uri.strip().lower().startswith("tel:"):
                return uri.strip()[4:].split(";")[0]
        warnings.append("EIDO: the caller's callback component has no tel: URI")
    return ""


def _pidf_location(xml: str) -> dict[str, Any] | None:
    """A civic address or a point from PIDF-LO, or None. Raises ValueError when unreadable."""
    try:
        root = fromstring(xml.strip().encode())
    except DefusedXmlException as exc:
        raise ValueError(
            f"refused ({type(exc).__name__}): no DTDs, entities or external references"
        ) from None
    except ParseError as exc:
        raise ValueError(f"not well-formed XML ({exc})") from None
    for civic in root.iter(f"{_CIVIC}civicAddress"):
        parts = {child.tag.removeprefix(_CIVIC): (child.text or "").strip() for child in civic}
        street = " ".join(parts[k] for k in _STREET if parts.get(k))
        place = ", ".join(p for p in (street, parts.get("A3", ""), parts.get("A1", "")) if p)
        if place:
            return {"address": place[:200]}
    for pos in root.iter(_GML_POS):
        numbers = (pos.text or "").split()
        try:
            lat, lon = float(numbers[0]), float(numbers[1])
        except (IndexError, ValueError):
            raise ValueError(f"gml:pos {pos.text!r} is not a latitude and longitude") from None
        return {"lat": lat, "lon": lon}
    return None


def _location(doc: dict[str, Any], warnings: list[str]) -> dict[str, Any] | None:
    components = _all(doc.get("locationComponent")) + _all(doc.get("locationInformationComponent"))
    for component in components:
        xml = component.get("locationByValue")
        if not isinstance(xml, str) or not xml.strip():
            continue
        try:
            found = _pidf_location(xml)
        except ValueError as exc:
            # Location helps, but is not needed: the event applies without it, and says why.
            warnings.append(reasons.text("eido_bad", field="locationByValue", detail=str(exc)))
            continue
        if found is not None:
            return found
    return None


_ORI = re.compile(r"^[A-Z]{2}[A-Z0-9]{7}$")


def _ori(doc: dict[str, Any], incident: dict[str, Any]) -> str | None:
    """The ORI of the agency the incident is updated by, when its identifier is one."""
    for holder in (incident, doc):
        target = _ref(holder.get("updatedByAgencyReference"))
        target = target.strip() if isinstance(target, str) else ""
        if not target:
            continue
        ids = [target]
        for agency in _all(doc.get("agencyComponent")):
            if _text(agency.get("$id")) == target:
                ids += [_text(agency.get(k)) for k in ("agencyIdentifier", "agencyId")]
        for value in ids:
            candidate = value.rsplit(":", 1)[-1].strip().upper()
            if _ORI.match(candidate):
                return candidate
        return None
    return None


def to_event(doc: Any) -> tuple[dict[str, Any], list[str]]:
    """The CAD event for one EIDO document, and warnings; raises Missing."""
    if not isinstance(doc, dict):
        raise Missing("EIDO: a document must be a JSON object")
    warnings: list[str] = []
    event: dict[str, Any] = {"event_id": event_id(doc), "incident_number": _incident(doc)}
    at = doc.get("LastUpdateTimeStamp", doc.get("lastUpdateTimeStamp"))
    if at in (None, ""):
        raise _missing("LastUpdateTimeStamp")
    event["event_time"] = at  # validated by intake: ISO 8601 with an offset, plausible

    incident = _first(doc.get("incidentComponent"))
    if incident is None:
        raise _missing("incidentComponent")
    status = _text(incident.get("incidentStatusInternalText"))
    if not status:
        raise _missing("incidentComponent.incidentStatusInternalText")
    event["status"] = status
    code = _text(incident.get("incidentTypeInternalCode")) or _text(
        incident.get("incidentTypeCommonRegistryText")
    )
    if code:
        event["call_type"] = code
        if description := _text(incident.get("incidentTypeInternalText")):
            event["call_type_description"] = description[:200]
    priority = _text(incident.get("incidentPriorityInternalText"))
    if not priority or len(priority) > MAX_PRIORITY:
        number = incident.get("incidentCommonPriorityNumber")
        if isinstance(number, int) and not isinstance(number, bool):
            priority = str(number)
        elif priority:
            warnings.append(
                f"EIDO: incidentPriorityInternalText is longer than {MAX_PRIORITY} characters "
                "and there is no incidentCommonPriorityNumber; no priority taken"
            )
            priority = ""
    if priority:
        event["priority"] = priority

    if ori := _ori(doc, incident):
        event["ori"] = ori
    if phone := _callback_phone(doc, warnings):
        event["caller"] = {"phone": phone}
    if location := _location(doc, warnings):
        event["location"] = location
    event["eido"] = {
        "id": _text(doc.get("$id")),
        "reason": _text(doc.get("reasonForIssueRegistryText")),
        "version": _text(doc.get("EIDOVersion") or doc.get("eidoVersion")),
    }
    return event, warnings


def incident_of(doc: Any) -> str | None:
    """The incident, for the quarantine row of a document that could not be converted."""
    if isinstance(doc, dict) and isinstance(doc.get("incidentTrackingIdentifier"), str):
        return doc["incidentTrackingIdentifier"].removeprefix(INCIDENT_PREFIX)[:MAX_INCIDENT]
    return None
