"""What staff can do about a quarantined event, read from why it was held.

The quarantine detail page used to look only at the event's status code, so an event held for
an empty event_id whose status was also unknown was told to map the status; mapping it would
not have helped. The advice now follows from the stored reason (the codes in
porchlight/reasons.py EVENTS), and the status mapping is offered only when the unknown status
is the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from porchlight.agencies.models import StatusCode
from porchlight.calls.models import Quarantine

# The codes calls/intake.py stores (see reasons.EVENTS for their sentences).
_UNKNOWN_STATUS = re.compile(r'^unknown status "(?P<code>.+)": map it under Status codes')
_NOT_COVERED = re.compile(r"^ORI .+ is not covered by this key$")
_CHANGED = "this event id was received before with different content; the first version stands"
_DUPLICATE = "already received; not applied again"
_NOT_AN_OBJECT = "an event must be a JSON object"
# A field problem as pydantic words it ("event_id: String should have at least 1 character").
_INVALID = re.compile(r"^[\w.\[\]-]+: ")


@dataclass(frozen=True)
class Advice:
    """kind: unmapped_status, now_mapped, invalid, not_covered, changed, duplicate."""

    kind: str
    code: str = ""


def for_item(item: Quarantine) -> Advice | None:
    """The advice for an open item, or None when there is nothing specific to say."""
    if item.state != Quarantine.State.OPEN:
        return None
    reason = item.reason or ""
    unknown = _UNKNOWN_STATUS.match(reason)
    if unknown:
        code = unknown.group("code")
        mapped = StatusCode.objects.filter(
            agency_id=item.agency_id, code__in={code, code.upper()}
        ).exists()
        return Advice("now_mapped" if mapped else "unmapped_status", code)
    if _NOT_COVERED.match(reason):
        return Advice("not_covered")
    if reason == _CHANGED:
        return Advice("changed")
    if reason == _DUPLICATE:
        return Advice("duplicate")
    if reason == _NOT_AN_OBJECT or _INVALID.match(reason):
        return Advice("invalid")
    return None
