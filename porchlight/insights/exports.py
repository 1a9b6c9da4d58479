"""CSV of a dashboard: every figure's table as on the screen, one after another, each row led
by its figure's title. The cells are the page's own strings (figures.Figure.rows)."""

from __future__ import annotations

import csv
import io

from porchlight.insights.figures import Dashboard
from porchlight.insights.rows import Rows


def _safe(cell: str) -> str:
    # A cell a spreadsheet would run as a formula (=, +, -, @) is quoted with a leading
    # apostrophe; "–" (no data) and negative numbers stay readable.
    if cell[:1] in ("=", "+", "@") or (cell[:1] == "-" and not cell[1:].replace(".", "").isdigit()):
        return "'" + cell
    return cell


def dashboard_csv(dashboard: Dashboard) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["figure", "row"])
    for figure in dashboard.figures:
        writer.writerow([figure.title, *figure.columns])
        for row in figure.rows:
            writer.writerow([figure.title, *map(_safe, row)])
    return out.getvalue()


def rows_csv(rows: Rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(rows.columns)
    for row in rows.rows:
        writer.writerow(list(map(_safe, row)))
    return out.getvalue()
