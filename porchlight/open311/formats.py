"""GeoReport v2's two formats, written out explicitly.

Every document is built once as plain Python (dicts, lists, str, int, float, bool, None, in the
spec's field order) and then written as JSON or as the spec's XML. The XML is its own shape: a
root element, one element per item named in the singular (`<services><service>…`), nested
lists likewise (`<attributes><attribute>`, `<values><value>`), booleans as true/false and
None as an empty element.
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}

# An XML list's item element, by the list's element name.
_ITEM = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        item = _ITEM[element.tag]
        for child in value:
            _fill(ET.SubElement(element, item), child)
    else:
        element.text = _text(value)


def to_xml(root: str, document: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, document)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8")


def to_json(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def respond(fmt: str, root: str, document: Any, status: int = 200) -> HttpResponse:
    """The document in the asked format; `root` names the XML root element."""
    body = to_json(document) if fmt == "json" else to_xml(root, document)
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    # Integrators' browsers and apps may read these from another origin; nothing here depends
    # on cookies (POST needs an api_key), so a wildcard origin gives nothing away.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def error(fmt: str, status: int, description: str) -> HttpResponse:
    """The spec's error document: [{"code": 404, "description": "…"}] or <errors><error>…."""
    return respond(fmt, "errors", [{"code": status, "description": description}], status)
