"""Chart geometry computed on the server, drawn by the templates as inline SVG (no script, no
CDN, nothing the CSP has to allow). Every chart sits beside its figure's table, which is the
text alternative; the SVG also carries a <desc> summary."""

from __future__ import annotations

import math
from typing import Any

# Shades of the brand colour by fifths of the largest value; 0 stays blank.
LEVELS = 5


def heatmap(
    row_labels: list[str], col_labels: list[str], values: list[list[int]],
    links: list[list[str | None]],
) -> dict[str, Any]:  # fmt: skip
    cell, left, top = 22, 44, 18
    biggest = max((v for row in values for v in row), default=0)
    cells = []
    for r, row in enumerate(values):
        for c, value in enumerate(row):
            level = (
                0
                if not value or not biggest
                else 1 + min(LEVELS - 1, (LEVELS * value - 1) // biggest)
            )
            cells.append(
                {
                    "x": left + c * cell, "y": top + r * cell, "size": cell - 2,
                    "opacity": round(level / LEVELS, 2), "value": value,
                    "title": f"{row_labels[r]} {col_labels[c]}: {value}", "link": links[r][c],
                }
            )  # fmt: skip
    return {
        "kind": "heatmap",
        "width": left + cell * len(col_labels),
        "height": top + cell * len(row_labels),
        "cells": cells,
        "rows": [{"y": top + r * cell + cell * 0.65, "label": lab} for r, lab in enumerate(row_labels)],
        "cols": [
            {"x": left + c * cell + cell / 2 - 1, "label": lab}
            for c, lab in enumerate(col_labels) if c % 3 == 0
        ],
        "max": biggest,
    }  # fmt: skip


def bars(
    items: list[tuple[str, float | None, str, str | None]], scale: float | None = None
) -> dict[str, Any]:
    """Horizontal bars: (label, value, the value as shown, link). Scale: the value of a full
    bar (the largest value when not given)."""
    row, left, width = 26, 150, 560
    top = max((v or 0 for _, v, _, _ in items), default=0)
    full = scale or top or 1
    out = []
    for i, (label, value, shown, link) in enumerate(items):
        w = max(0.0, (width - left - 70) * (value or 0) / full)
        out.append(
            {
                "y": i * row + 4, "ty": i * row + 18, "w": round(w, 1), "label": label[:22],
                "shown": shown, "vx": round(left + w + 6, 1), "link": link,
            }
        )  # fmt: skip
    return {
        "kind": "bars",
        "width": width,
        "height": max(row, row * len(items) + 6),
        "left": left,
        "bars": out,
    }


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry.get("type") == "Polygon":
        return list(geometry.get("coordinates") or [])
    if geometry.get("type") == "MultiPolygon":
        return [ring for polygon in geometry.get("coordinates") or [] for ring in polygon]
    return []


def choropleth(
    shapes: list[tuple[str, dict[str, Any]]], values: dict[str, float], caption: str,
) -> dict[str, Any] | None:  # fmt: skip
    """Beat shapes (code, GeoJSON geometry in lon/lat) projected on the server into SVG paths,
    shaded by value in fifths of the largest. Longitudes are scaled by the cosine of the
    middle latitude, so a city's shapes keep their proportions; None without shapes."""
    rings = {code: _rings(g) for code, g in shapes}
    points = [p for rs in rings.values() for ring in rs for p in ring if len(p) >= 2]
    if not points:
        return None
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    squeeze = math.cos(math.radians((south + north) / 2))
    span = max((east - west) * squeeze, north - south) or 1.0
    width, pad = 560.0, 8.0
    scale = (width - 2 * pad) / span
    height = (north - south) * scale + 2 * pad

    def xy(p: list[float]) -> tuple[float, float]:
        return (pad + (p[0] - west) * squeeze * scale, pad + (north - p[1]) * scale)

    top = max(values.values(), default=0) or 1
    out = []
    for code, code_rings in rings.items():
        parts = []
        xs, ys = [], []
        for ring in code_rings:
            coords = [xy(p) for p in ring if len(p) >= 2]
            if len(coords) < 3:
                continue
            xs += [c[0] for c in coords]
            ys += [c[1] for c in coords]
            parts.append("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in coords) + " Z")
        if not parts:
            continue
        value = values.get(code, 0)
        level = 0 if not value else 1 + min(LEVELS - 1, int(LEVELS * value / top - 1e-9))
        out.append(
            {
                "code": code, "d": " ".join(parts), "opacity": round(0.08 + 0.92 * level / LEVELS, 2),
                "lx": round((min(xs) + max(xs)) / 2, 1), "ly": round((min(ys) + max(ys)) / 2, 1),
            }
        )  # fmt: skip
    return {
        "kind": "map",
        "width": width,
        "height": round(height, 1),
        "shapes": out,
        "caption": caption,
    }
