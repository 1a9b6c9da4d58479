"""When a message may go: quiet hours in the agency's own time zone.

Urgent messages (call updates, urgent alerts) ignore quiet hours; everything else planned or
claimed inside them waits for the morning. Used at plan time (so staff see the real due time)
and again at send time (a row planned at 20:59 and claimed at 21:01 still waits).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from porchlight.notify.models import URGENT, DeliverySettings


def in_quiet_hours(local: time, start: time, end: time) -> bool:
    if start == end:
        return False  # no quiet hours
    if start < end:  # e.g. 01:00–05:00
        return start <= local < end
    return local >= start or local < end  # spans midnight, e.g. 21:00–08:00


def after_quiet_hours(
    when: datetime, priority: int, policy: DeliverySettings, tz: ZoneInfo
) -> datetime:
    """`when`, or the end of the quiet hours it falls in when the message is not urgent."""
    if priority <= URGENT:
        return when
    local = when.astimezone(tz)
    if not in_quiet_hours(local.time(), policy.quiet_start, policy.quiet_end):
        return when
    morning = local.replace(
        hour=policy.quiet_end.hour, minute=policy.quiet_end.minute, second=0, microsecond=0
    )
    if morning <= local:
        morning = (local + timedelta(days=1)).replace(
            hour=policy.quiet_end.hour, minute=policy.quiet_end.minute, second=0, microsecond=0
        )
    # Built from the wall clock, so it is 08:00 local even across a DST change.
    return datetime.combine(morning.date(), morning.time(), tzinfo=tz)
