"""The filters every dashboard takes: a date range on the agency's clock, beat, district,
call type and priority. Bad input is refused with a reason (a 400), never guessed at."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from porchlight.agencies.models import Agency

DEFAULT_DAYS = 30
# Long enough for a multi-year comparison; a typo of a year (20226) is refused.
MAX_DAYS = 366 * 10


class BadFilter(ValueError):
    """The query cannot be read as filters; the message says why, for the person."""


def zone(agency: Agency | None) -> ZoneInfo:
    if agency is not None:
        return agency.tz
    current = timezone.get_current_timezone()
    return current if isinstance(current, ZoneInfo) else ZoneInfo("UTC")


def clocks(agency: Agency | None, via: str = "agency") -> list[tuple[Q, ZoneInfo]]:
    """The clocks rows are read on, each with the condition picking its rows: the agency's
    own; with no agency (a platform superuser's all-agency view), one per time zone in use,
    so each row is counted on its own agency's clock, as the rollups (by local day and hour)
    and the rows' shown times have it. `via` is the path from the rows to their agency."""
    if agency is not None:
        return [(Q(), agency.tz)]
    names = Agency.objects.order_by("time_zone").values_list("time_zone", flat=True).distinct()
    return [(Q(**{f"{via}__time_zone": name}), ZoneInfo(name)) for name in names]


def any_of(conditions: list[Q]) -> Q:
    """Any of the conditions; none matches nothing (no agency, so no rows)."""
    out = Q(pk__in=[])
    for condition in conditions:
        out |= condition
    return out


def days_between(field: str, tz: ZoneInfo, since: date | None, until: date | None) -> Q:
    """From midnight starting `since` to midnight ending `until` on one clock, as a condition
    on the time `field`; an open end (None) is not bounded."""
    bounds = {}
    if since is not None:
        bounds[f"{field}__gte"] = datetime.combine(since, time(), tzinfo=tz)
    if until is not None:
        bounds[f"{field}__lt"] = datetime.combine(until + timedelta(days=1), time(), tzinfo=tz)
    return Q(**bounds)


def today(agency: Agency | None) -> date:
    """Today's date on the agency's clock; with no agency, the latest date on any agency's
    clock in use (so every agency's today is in a range ending then). Every default and
    shortcut date of the all-agency view starts from it, as the weekly chart does: "today"
    and "last 30 days" then hold each agency's newest rows, and "last month" is the month
    before the newest today (for the agencies behind it, the current month for a few hours)."""
    now = timezone.now()
    return max(
        (timezone.localtime(now, tz).date() for _which, tz in clocks(agency)),
        default=timezone.localtime(now, zone(agency)).date(),
    )


def _date(query: Any, name: str) -> date | None:
    raw = str(query.get(name, "")).strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadFilter(_("%(name)s is not a date (YYYY-MM-DD).") % {"name": name}) from None


@dataclass(frozen=True)
class Filters:
    since: date
    until: date
    beat: str = ""
    district: str = ""
    call_type: str = ""
    priority: str = ""

    @classmethod
    def from_query(cls, query: Any, agency: Agency | None) -> Filters:
        until = _date(query, "until") or today(agency)
        since = _date(query, "since") or until - timedelta(days=DEFAULT_DAYS - 1)
        if since > until:
            raise BadFilter(_("The start date is after the end date."))
        if (until - since).days > MAX_DAYS:
            raise BadFilter(_("The date range is longer than ten years."))
        values = {}
        for name, longest in (("beat", 32), ("district", 32), ("call_type", 200), ("priority", 16)):
            value = str(query.get(name, "")).strip()
            if len(value) > longest:
                raise BadFilter(_("%(name)s is too long.") % {"name": name})
            values[name] = value
        return cls(since=since, until=until, **values)

    def window(self, field: str, agency: Agency | None, via: str = "agency") -> Q:
        """The date range as a condition on the time `field`, on each row's agency's clock
        (see clocks)."""
        return any_of([which & self.between(field, tz) for which, tz in clocks(agency, via)])

    def between(self, field: str, tz: ZoneInfo) -> Q:
        """The date range on one clock, as a condition on the time `field`."""
        return days_between(field, tz, self.since, self.until)

    def calls_q(self, via: str = "") -> Q:
        """The call filters (beat, district, priority, call type) as one condition on calls,
        or on rows reached through `via` (`call__` for messages about a call)."""
        lookups = {"beat": "beat", "district": "district", "priority": "priority__code",
                   "call_type": "call_type__code"}  # fmt: skip
        return Q(**{f"{via}{lookups[name]}": value for name, value in self.dims.items()})

    def params(self, **extra: str) -> dict[str, str]:
        out = {"since": self.since.isoformat(), "until": self.until.isoformat()}
        for name in ("beat", "district", "call_type", "priority"):
            value = getattr(self, name)
            if value:
                out[name] = value
        out.update({k: v for k, v in extra.items() if v != ""})
        return out

    def query(self, **extra: str) -> str:
        return urlencode(self.params(**extra))

    def previous(self) -> Filters:
        """The same length of time just before this range (the period report's comparison)."""
        days = (self.until - self.since).days + 1
        return replace(
            self, since=self.since - timedelta(days=days), until=self.since - timedelta(days=1)
        )

    @property
    def dims(self) -> dict[str, str]:
        return {
            name: getattr(self, name)
            for name in ("beat", "district", "call_type", "priority")
            if getattr(self, name)
        }
