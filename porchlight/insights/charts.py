"""Chart geometry computed on the server, drawn by the templates as inline SVG (no script, no
CDN, nothing the CSP has to allow). Every chart sits beside its figure's table, which is the
text alternative; the SVG also carries a <desc> summary."""

from __future__ import annotations

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
