"""Reading a dashboard page back as its tables, to hold it against the CSV."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser


class Tables(HTMLParser):
    """Every <table class="in-table">: its data-figure key, header cells and body rows."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, dict[str, list]] = {}
        self._key: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._head = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "in-table" in (attrs.get("class") or ""):
            self._key = attrs["data-figure"]
            self.tables[self._key] = {"columns": [], "rows": []}
        elif self._key and tag == "thead":
            self._head = True
        elif self._key and tag == "tr":
            self._row = []
        elif self._key and tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._key = None
        elif tag == "thead":
            self._head = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._key:
            target = self.tables[self._key]
            if self._head:
                target["columns"] = self._row
            else:
                target["rows"].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> dict[str, dict[str, list]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))
