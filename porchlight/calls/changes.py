"""What an intake batch changed: the value intake hands to the code that reacts to it.

It lives on its own so that both sides depend on it and neither on the other: `calls.intake`
builds an `Applied` and passes it to `notify.plan.calls()`, which reads it. (Before, the planner
imported it from intake while intake imported the planner.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from porchlight.agencies.models import PriorityCode
from porchlight.calls.models import Call, CallType

if TYPE_CHECKING:  # read by their own modules; intake only carries them
    from porchlight.feedback.invite import Ready
    from porchlight.notify.models import Contact
    from porchlight.notify.plan import Standing


class AppliedEvent(NamedTuple):
    call_id: int
    event_id: str
    status: str
    event_time: datetime


@dataclass
class Applied:
    """What one batch changed, for the code that reacts to it (notifications, rollups)."""

    events: list[AppliedEvent] = field(default_factory=list)
    calls: dict[int, Call] = field(default_factory=dict)
    new_call_ids: set[int] = field(default_factory=set)
    # Each call's status before this batch (None for a call it created).
    status_before: dict[int, str | None] = field(default_factory=dict)
    # Each call's report number before this batch ("" for a call it created): a report number
    # that appears is an update for the caller.
    report_before: dict[int, str] = field(default_factory=dict)
    # The feed's source name (the API key's source): rules can be limited to some feeds.
    source: str | None = None
    # The call types and priority codes the changed calls point at, by id.
    call_types: dict[int, CallType] = field(default_factory=dict)
    priorities: dict[int, PriorityCode] = field(default_factory=dict)
    # What planning and inviting read per agency, read by intake before it locked any call
    # (calls.intake._ahead), or None: then they read it themselves.
    standing: Standing | None = None
    ready: Ready | None = None
    # The contacts inviting may need, read before any call was locked (invite.callers_ahead),
    # by id, or None: then inviting reads them.
    callers: dict[int, Contact] | None = None
