"""Why intake or an import refused something: stable codes, and the one English text of each.

Reasons are stored on quarantine rows and import runs, and answered to CADs, in English: an
integrator greps for them. Each code here is stable, so that the console can show a
translated sentence for it (keyed by the code) and a dashboard can group by it. Texts take
named fields with str.format.

Add a reason here, never inline, so the list of what intake can say stays in one place.
"""

from __future__ import annotations

from typing import Final

# code -> English text (fields in braces).
TEXTS: Final[dict[str, str]] = {
    # Any string of the event: PostgreSQL cannot store NUL, and SQLite refuses it too so that
    # both engines agree.
    "nul_byte": "{field}: contains a NUL byte (\\u0000), which no text field may hold",
    # event_time given as a number: a Unix time is ambiguous (seconds? milliseconds? whose zone?).
    "time_not_text": "event_time: must be an ISO 8601 date and time with its offset, not a {kind}",
    "time_too_early": "{field}: {value} is before {earliest}, outside the plausible window",
    "time_too_late": (
        "{field}: {value} is more than {hours} hours in the future, outside the plausible window"
    ),
    # The quarantine keeps at most QUARANTINE_MAX_PER_HOUR rows per feed an hour.
    "not_kept": "not kept: this feed sent more than {limit} rejected events this hour",
    # Imports.
    "import_no_time": "the row has no status time",
    "import_bad_time": "{column} {value!r} is not a date and time this mapping reads",
    "import_ambiguous_time": (
        '{column} {value!r} can be read as more than one date; set "date_order" in the mapping'
    ),
    "import_unmapped_value": "{column} {value!r} is not in the mapping's {map} values",
    # EIDO documents.
    "eido_missing": "EIDO: {field} is missing, and Porchlight needs it",
    "eido_bad": "EIDO: {field} cannot be read: {detail}",
}


def text(code: str, **fields: object) -> str:
    """The English reason for `code`, with its fields filled in."""
    return TEXTS[code].format(**fields)
