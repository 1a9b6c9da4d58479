"""Reading export files: CSV through a column mapping, and JSON-lines of CAD events.

Both give (line number, CAD events, notes) per row, so history import and the drop folder read
files the same way and report bad rows by the line a person would open the file at.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from porchlight.calls.importing.mapping import Mapping, MappingError, RowConverter

JSONL_SUFFIXES = (".jsonl", ".ndjson")
# Some exports hold a single field larger than csv's 128 KB default (free-text notes).
csv.field_size_limit(16 * 1024 * 1024)


class Unreadable(Exception):
    """The file as a whole cannot be read; the message says why."""


@dataclass
class FileFacts:
    sha256: str
    lines: int
    utf8: bool


def inspect(path: Path) -> FileFacts:
    """Digest, line count and whether the text is UTF-8, in one pass over the bytes."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines, utf8 = 0, True
    try:
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
                lines += chunk.count(b"\n")
                if utf8:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        utf8 = False
        if utf8:
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        utf8 = False
    except OSError as exc:
        raise Unreadable(f"cannot read {path.name}: {exc.strerror or exc}") from None
    return FileFacts(digest.hexdigest(), lines, utf8)


def is_jsonl(path: Path) -> bool:
    return path.suffix.lower() in JSONL_SUFFIXES


@dataclass
class Row:
    line: int
    events: list[Any]
    notes: list[str]
    codes: list[str] = field(default_factory=list)  # a reason code per note
    raw: dict[str, Any] | None = None  # the CSV row as read, for the quarantine


class ExportReader:
    """Rows of one file. CSV needs a mapping; JSON-lines holds CAD events as they are."""

    def __init__(
        self, path: Path, mapping: Mapping | None, default_zone: str, *, utf8: bool = True
    ) -> None:
        self.path = path
        self.jsonl = is_jsonl(path)
        if not self.jsonl and mapping is None:
            raise Unreadable(f"{path.name}: a CSV file needs a preset (--preset)")
        if self.jsonl and not utf8:
            raise Unreadable(f"{path.name}: JSON-lines must be UTF-8")
        # CSV exports from Windows tools are often cp1252; UTF-8 (with or without a BOM) otherwise.
        encoding = "utf-8-sig" if utf8 else "cp1252"
        try:
            self.file: IO[str] = path.open(
                encoding=encoding, newline="" if not self.jsonl else None, errors="replace"
            )
        except OSError as exc:
            raise Unreadable(f"cannot read {path.name}: {exc.strerror or exc}") from None
        self.converter: RowConverter | None = None
        if not self.jsonl:
            assert mapping is not None
            self._csv = csv.reader(self.file)
            try:
                header = next(self._csv)
            except StopIteration:
                self.close()
                raise Unreadable(f"{path.name} is empty") from None
            except csv.Error as exc:
                self.close()
                raise Unreadable(f"{path.name}: the header is not CSV: {exc}") from None
            self.header = [h.strip() for h in header]
            try:
                self.converter = mapping.bind(self.header, default_zone)
            except MappingError as exc:
                self.close()
                raise Unreadable(f"{path.name}: {exc}") from None

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> ExportReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def raw_rows(self) -> Iterator[tuple[int, Any]]:
        """(first line of the row, raw row): cheap, so a resumed import can skip what it did."""
        if self.jsonl:
            for number, text in enumerate(self.file, start=1):
                if text.strip():
                    yield number, text
            return
        header, width = self.header, len(self.header)
        line = self._csv.line_num + 1
        while True:
            try:
                fields = next(self._csv)
            except StopIteration:
                return
            except csv.Error as exc:
                # An unterminated quote swallows the rest of the file: say where it began.
                yield line, ("error", f"not readable as CSV: {exc}")
                return
            if fields:  # csv.reader gives [] for a blank line
                row: dict[str | None, Any] = dict(zip(header, fields, strict=False))
                if len(fields) > width:
                    row[None] = fields[width:]
                elif len(fields) < width:
                    row.update((h, None) for h in header[len(fields) :])
                yield line, row
            line = self._csv.line_num + 1

    def convert(self, line: int, raw: Any) -> Row:
        if self.jsonl:
            try:
                event = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                # Passed on as text: intake quarantines it whole, with this line in the report.
                return Row(
                    line, [raw.rstrip("\n")], [f"not valid JSON: {exc}"], ["import_bad_json"]
                )
            return Row(line, [event], [])
        if isinstance(raw, tuple):
            return Row(line, [], [raw[1]], ["import_bad_csv"])
        assert self.converter is not None
        events, notes, codes = self.converter.convert_coded(raw)
        return Row(line, events, notes, codes, raw)

    def rows(self) -> Iterator[Row]:
        for line, raw in self.raw_rows():
            yield self.convert(line, raw)


def count_rows(path: Path, utf8: bool = True) -> int:
    """How many rows raw_rows() will yield: CSV records after the header (quoted line breaks
    and blank lines as the reader sees them), or non-blank JSON lines."""
    encoding = "utf-8-sig" if utf8 else "cp1252"
    try:
        with path.open(
            encoding=encoding, errors="replace", newline="" if not is_jsonl(path) else None
        ) as f:
            if is_jsonl(path):
                return sum(1 for text in f if text.strip())
            rows = -1  # the header
            reader = csv.reader(f)
            try:
                for fields in reader:
                    if fields:
                        rows += 1
            except csv.Error:
                rows += 1  # raw_rows() yields the unreadable rest as one row
            return max(rows, 0)
    except OSError as exc:
        raise Unreadable(f"cannot read {path.name}: {exc.strerror or exc}") from None
