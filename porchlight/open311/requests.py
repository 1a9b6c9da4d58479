"""The GeoReport v2 documents about filed reports, and reading a POST into a filed report.

What anyone may read about a report is what the public map may show: the category, whether
the case is open or closed, when, and the hundred block with a point moved off the address
(geo.blocks). Never the reporter's words, photos, exact location or contact: a police report
is not a pothole.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from django.http import QueryDict
from django.utils import translation

from porchlight.agencies.models import Agency
from porchlight.geo import blocks
from porchlight.reports.location import public_address
from porchlight.reports.models import Report


def w3c(moment: datetime | None, agency: Agency) -> str | None:
    """The spec's W3C datetime, in the agency's time: 2026-12-04T08:15:00-08:00."""
    if moment is None:
        return None
    return moment.astimezone(agency.tz).replace(microsecond=0).isoformat()


@lru_cache(maxsize=4096)
def _block(address: str, language: str) -> str:
    # Parsing an address (usaddress) is the slowest part of a long list; the same few
    # thousand addresses come back on every page.
    with translation.override(language):
        return public_address(address)


def status_of(report: Report) -> str:
    return "closed" if report.case.closed_at is not None else "open"


def request_document(report: Report, language: str) -> dict[str, Any]:
    agency = report.agency
    category = report.category
    lat: float | None = None
    lon: float | None = None
    if report.lat is not None and report.lon is not None:
        lat, lon = blocks.generalize(report.lat, report.lon, f"report:{report.pk}")
    address = _block(report.address, language)
    return {
        "service_request_id": report.case.number,
        "status": status_of(report),
        "status_notes": "",
        "service_name": category.name_in(language),
        "service_code": category.code,
        "description": "",
        "agency_responsible": agency.name,
        "service_notice": category.notice_in(language),
        "requested_datetime": w3c(report.filed_at, agency),
        "updated_datetime": w3c(report.case.updated, agency),
        "expected_datetime": None,
        "address": address,
        "address_id": "",
        "zipcode": "",
        "lat": lat,
        "long": lon,
        "media_url": "",
    }


def created_document(report: Report, language: str) -> list[dict[str, Any]]:
    return [
        {
            "service_request_id": report.case.number,
            "token": report.token,
            "service_notice": report.category.notice_in(language),
            "account_id": None,
        }
    ]


def token_document(report: Report) -> list[dict[str, Any]]:
    return [{"service_request_id": report.case.number, "token": report.token}]


def attributes(post: QueryDict) -> QueryDict:
    """attribute[code]=value pairs (attribute[code][]=a&attribute[code][]=b for several) as the
    form data AnswersForm reads: q-code=value."""
    out = QueryDict(mutable=True)
    for key in post:
        if not key.startswith("attribute[") or not key.endswith("]"):
            continue
        code = key[len("attribute[") : -1]
        if code.endswith("]["):  # attribute[code][]
            code = code[:-2]
        out.setlist("q-" + code, out.getlist("q-" + code) + post.getlist(key))
    return out
