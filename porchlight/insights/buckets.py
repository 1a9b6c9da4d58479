"""Fixed response-time buckets: the rollups keep a count per bucket, percentiles read them.

A percentile from a histogram is the upper edge of the bucket that holds the p-th ranked call:
"p90 ≤ 10 min" means at least 90% of the calls took 10 minutes or less. It is exact at the
edges and never better than the truth, which is what a service-level figure should be; the
edges are close enough (a minute apart at the start, then ever wider) for the question asked.
"""

from __future__ import annotations

from collections.abc import Sequence

# Upper edges in seconds; one more bucket holds everything longer than the last (24 h).
EDGES: tuple[int, ...] = (
    60, 120, 180, 300, 420, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200, 10800, 14400,
    21600, 28800, 43200, 86400,
)  # fmt: skip
COUNT = len(EDGES) + 1

# The three intervals, each a pair of Call time columns, and the prefix of its bucket columns.
METRICS: dict[str, tuple[str, str]] = {
    "disp": ("received_at", "dispatched_at"),
    "scene": ("dispatched_at", "onscene_at"),
    "clear": ("received_at", "cleared_at"),
}


def column(metric: str, index: int) -> str:
    return f"{metric}{index:02d}"


def columns(metric: str) -> list[str]:
    return [column(metric, i) for i in range(COUNT)]


def index_of(seconds: float) -> int:
    """The bucket of a duration: the first whose upper edge it does not exceed."""
    for i, edge in enumerate(EDGES):
        if seconds <= edge:
            return i
    return len(EDGES)


def percentile(counts: Sequence[int], p: int) -> int | None:
    """The upper edge (seconds) of the bucket holding the p-th percentile; None without data,
    -1 past the last edge ("more than 24 hours")."""
    total = sum(counts)
    if not total:
        return None
    # The rank of the p-th percentile, nearest-rank: ceil(p/100 * n), at least 1.
    rank = max(1, (p * total + 99) // 100)
    seen = 0
    for i, n in enumerate(counts):
        seen += n
        if seen >= rank:
            return EDGES[i] if i < len(EDGES) else -1
    return -1


def label(seconds: int | None) -> str:
    """A bucket edge as people read it: 45 s, 7 min, 1 h 30 min, > 24 h; – without data."""
    if seconds is None:
        return "–"
    if seconds < 0:
        return f"> {EDGES[-1] // 3600} h"
    if seconds < 60:
        return f"≤ {seconds} s"
    if seconds < 3600:
        minutes = seconds / 60
        return f"≤ {minutes:g} min"
    hours, rest = divmod(seconds, 3600)
    return f"≤ {hours} h" + (f" {rest // 60} min" if rest else "")
