"""The public transparency log: every request that went beyond a draft, with the coarse area,
never the exact one, and no resident's identity (the entries hold counts only).

One function makes the entries for the page, the CSV and the JSON API, so they always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

from porchlight.agencies.models import Agency
from porchlight.assist.models import AssistanceRequest, Status

PUBLIC_STATUSES = [Status.PENDING, Status.SENT, Status.REJECTED, Status.CLOSED, Status.EXPIRED]
FIELDS = (
    "date", "area", "incident_type", "purpose", "residents_notified", "shares_received",
    "status",
)  # fmt: skip


class BadFilter(ValueError):
    pass


@dataclass(frozen=True)
class Entry:
    id: int
    date: date
    area: str
    incident_type: str
    purpose: str
    residents_notified: int
    shares_received: int
    status: str
    status_label: str

    def row(self) -> list[Any]:
        return [self.date.isoformat(), self.area, self.incident_type, self.purpose,
                self.residents_notified, self.shares_received, self.status]  # fmt: skip


def parse_filters(params: Any) -> tuple[date | None, date | None, str]:
    def day(name: str) -> date | None:
        raw = (params.get(name) or "").strip()
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise BadFilter(f"{name} must be a date (YYYY-MM-DD), not {raw[:20]!r}") from None

    status = (params.get("status") or "").strip()
    if status and status not in PUBLIC_STATUSES:
        raise BadFilter(f"status must be one of {', '.join(PUBLIC_STATUSES)}")
    return day("from"), day("to"), status


def entries(
    agency: Agency, since: date | None = None, until: date | None = None, status: str = ""
) -> list[Entry]:
    rows = AssistanceRequest.objects.filter(agency=agency, status__in=PUBLIC_STATUSES)
    tz = agency.tz
    if since is not None:
        rows = rows.filter(created__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until is not None:
        rows = rows.filter(created__lt=datetime.combine(until, time.max, tzinfo=tz))
    if status:
        rows = rows.filter(status=status)
    out = []
    for item in rows.order_by("-created", "-id").only(
        "id", "created", "public_area", "incident_type", "description", "residents_notified",
        "shares_received", "status",
    )[:1000]:  # fmt: skip
        out.append(
            Entry(
                id=item.pk,
                date=timezone.localtime(item.created, tz).date(),
                area=item.public_area,
                incident_type=item.incident_type,
                purpose=item.description,
                residents_notified=item.residents_notified,
                shares_received=item.shares_received,
                status=item.status,
                status_label=str(item.get_status_display()),
            )
        )
    return out
