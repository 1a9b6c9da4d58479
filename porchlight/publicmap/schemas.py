"""The GeoJSON shapes the map API returns, for the OpenAPI document (RFC 7946)."""

from __future__ import annotations

from typing import Literal

from ninja import Schema


class Point(Schema):
    type: Literal["Point"]
    coordinates: tuple[float, float]  # [longitude, latitude]


class IncidentProperties(Schema):
    category: str
    category_label: str
    kind: Literal["call", "offense"]
    kind_label: str
    block: str  # "1200 block of Truxtun Ave", or "" when only an approximate point is known
    occurred_at: str
    agency: str


class Feature(Schema):
    type: Literal["Feature"]
    id: int
    geometry: Point
    properties: IncidentProperties


class FeatureCollection(Schema):
    type: Literal["FeatureCollection"]
    features: list[Feature]
    truncated: bool
    since: str
    until: str
