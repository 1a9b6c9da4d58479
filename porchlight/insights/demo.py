"""Dashboards for the demo: the rollups built from the demo's history at once, so the calls
dashboard has figures before the worker's first refresh (which keeps them current after)."""

from __future__ import annotations

from porchlight.agencies.models import Agency
from porchlight.insights import rollups


def seed(agency: Agency) -> None:
    rollups.rebuild(agency)
