"""Dates as the dashboards label a week, in the language being shown.

A chart's axis has room for a short label ("Dec 1" in English, "1 dic" in Spanish); a table
gives the whole date ("Nov. 16, 2026", "16 de noviembre de 2026"). Month names, not numbers, so
"12/3" is never read as the 12th of March by one reader and December 3rd by another.
WEEK_LABEL_FORMAT is ours (en/formats.py, es/formats.py); the others are Django's.
"""

from __future__ import annotations

from datetime import date

from django.utils import formats

_SHORT = "WEEK_LABEL_FORMAT"


def short_day(day: date) -> str:
    """A chart's label for the week (or day) that starts on `day`: "Dec 1", "1 dic"."""
    fmt = formats.get_format(_SHORT)
    # get_format hands back the name itself for a language that does not define it.
    return formats.date_format(day, "M j" if fmt == _SHORT else fmt)


def day(day: date) -> str:
    """A table's date: "Dec. 1, 2026", "1 de diciembre de 2026"."""
    return formats.date_format(day, "DATE_FORMAT")
