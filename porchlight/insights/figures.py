"""A dashboard is a list of figures; each figure is a table (what the CSV holds, and what a
screen reader reads) with, optionally, a chart drawn from the same numbers, and links from its
cells to the rows behind them. One structure for the page, the CSV and the period report, so
they cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Figure:
    key: str
    title: str
    columns: list[str]
    # Every cell already a string, formatted once here: the page and the CSV print the same.
    rows: list[list[str]] = field(default_factory=list)
    # The rows page query for a cell (same shape as rows; None: no link).
    links: list[list[str | None]] = field(default_factory=list)
    chart: dict[str, Any] | None = None
    note: str = ""

    def add(self, cells: list[Any], links: list[str | None] | None = None) -> None:
        self.rows.append([fmt(c) for c in cells])
        self.links.append(links if links is not None else [None] * len(cells))

    def cells(self) -> list[list[tuple[str, str | None]]]:
        return [
            list(zip(row, link, strict=True))
            for row, link in zip(self.rows, self.links, strict=True)
        ]


@dataclass
class Dashboard:
    kind: str  # calls, messages, feedback, cases
    title: str
    figures: list[Figure]

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


def fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def pct(part: int, whole: int) -> str:
    value = percent(part, whole)
    return "–" if value is None else f"{value:.1f}%"
