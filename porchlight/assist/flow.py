"""A request's life: create → submit → approve (and send) or reject → close or expire.

Every step is one function here, in one transaction with its audit entry; the console and the
demo call them, so nothing reaches a resident before a supervisor approves. The fan-out is in
notice.py, called only by approve().
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from porchlight.agencies.models import Agency
from porchlight.agencies.permissions import MATRIX, Cap
from porchlight.alerts import shapes
from porchlight.alerts.models import Beat
from porchlight.assist import limits, notice
from porchlight.assist.models import AssistanceRequest, Status
from porchlight.audit.log import record
from porchlight.cases.models import Case

# The roles come from the permission matrix (agencies/permissions.py), the one table of who may.
CREATORS = set(MATRIX[Cap.ASSIST])
APPROVERS = set(MATRIX[Cap.ASSIST_APPROVE])
# Who may read a request's shares (residents' files and, with consent, their contact).
READERS = CREATORS


class NotAllowed(PermissionError):
    """The step is not open to this person (status 403) or not in this state (409); the
    message says why."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.status = status


def role_of(user: Any) -> str | None:
    staff = getattr(user, "staff", None)
    return staff.role if staff is not None else None


def public_area(agency: Agency, geometry: Any, neighborhood: str) -> str:
    """The coarse area the public log shows: the beats the area touches, else the
    neighbourhood staff named. Never the centre, the radius or the drawn shape."""
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    candidates = Beat.objects.filter(
        agency=agency,
        min_lat__lte=max_lat,
        max_lat__gte=min_lat,
        min_lon__lte=max_lon,
        max_lon__gte=min_lon,
    )
    names = [
        beat.label for beat in candidates if shapes.from_geojson(beat.geometry).intersects(geometry)
    ]
    if names:
        return ", ".join(sorted(names))[:200]
    return neighborhood.strip()[:200]


def create(
    agency: Agency,
    *,
    case_number: str,
    center: tuple[float, float] | None = None,
    radius_m: int | None = None,
    polygon: Any = None,
    neighborhood: str,
    window_start: datetime,
    window_end: datetime,
    incident_type: str,
    description: str,
    contact_name: str,
    contact_phone: str = "",
    contact_email: str = "",
    expires_at: datetime,
    actor: Any,
    request: HttpRequest | None = None,
) -> AssistanceRequest:
    """A draft request. LimitExceeded when it is outside a limit or the case is unknown."""
    if actor is not None and not actor.is_superuser and role_of(actor) not in CREATORS:
        raise NotAllowed("only community-relations staff, detectives and supervisors ask")
    case = Case.objects.filter(agency=agency, number=case_number.strip()).first()
    if case is None:
        raise limits.LimitExceeded("case_number", "no such case in this agency")
    now = timezone.now()
    rules = limits.limits_for(agency)
    geometry = limits.check(
        rules, center=center, radius_m=radius_m, polygon=polygon, window_start=window_start,
        window_end=window_end, expires_at=expires_at, now=now,
    )  # fmt: skip
    label = public_area(agency, geometry, neighborhood)
    if not label:
        raise limits.LimitExceeded("neighborhood", "name the neighbourhood for the public log")
    with transaction.atomic():
        item = AssistanceRequest.objects.create(
            agency=agency, case=case,
            center_lat=center[0] if center and polygon is None else None,
            center_lon=center[1] if center and polygon is None else None,
            radius_m=radius_m if polygon is None else None, polygon=polygon,
            area=shapes.to_geojson(geometry), public_area=label,
            window_start=window_start, window_end=window_end,
            incident_type=incident_type.strip(), description=description.strip(),
            contact_name=contact_name.strip(), contact_phone=contact_phone.strip(),
            contact_email=contact_email.strip(), expires_at=expires_at,
            retention_days=rules.retention_days, created=now, created_by=actor,
        )  # fmt: skip
        record(
            "assist.create", request=request, actor=actor, agency=agency, target=item,
            changes={"case": case.number, "radius_m": item.radius_m,
                     "polygon": polygon is not None, "expires_at": expires_at.isoformat()},
        )  # fmt: skip
    return item


def _move(
    item: AssistanceRequest, frm: set[str], to: str, action: str, actor: Any,
    request: HttpRequest | None, **fields: Any,
) -> bool:  # fmt: skip
    """A state-guarded update: two supervisors clicking at once move the request once."""
    moved = AssistanceRequest.objects.filter(pk=item.pk, status__in=frm).update(status=to, **fields)
    if not moved:
        return False
    for name, value in {"status": to, **fields}.items():
        setattr(item, name, value)
    record(
        action, request=request, actor=actor, agency=item.agency, target=item,
        changes={"status": to, **{k: str(v) for k, v in fields.items() if k.endswith("reason")}},
    )  # fmt: skip
    return True


def submit(item: AssistanceRequest, *, actor: Any, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        if not _move(item, {Status.DRAFT}, Status.PENDING, "assist.submit", actor, request,
                     submitted_at=timezone.now()):  # fmt: skip
            raise NotAllowed("only a draft can be sent for approval", 409)


def check_approver(item: AssistanceRequest, actor: Any) -> None:
    if not actor.is_superuser and role_of(actor) not in APPROVERS:
        raise NotAllowed("only a supervisor or an agency admin approves")
    if item.created_by_id is not None and item.created_by_id == actor.pk:
        raise NotAllowed("the person who asked cannot approve their own request")


def approve(item: AssistanceRequest, *, actor: Any, request: HttpRequest | None = None) -> int:
    """Approve and send: the residents' notices are planned in the same transaction.
    Returns how many residents were notified."""
    check_approver(item, actor)
    now = timezone.now()
    if item.expires_at <= now:
        raise NotAllowed("the request expired before it was approved", 409)
    with transaction.atomic():
        if not _move(item, {Status.PENDING}, Status.SENT, "assist.approve", actor, request,
                     approved_at=now, approved_by=actor):  # fmt: skip
            raise NotAllowed("only a request waiting for approval can be approved", 409)
        notified = notice.send(item)
        AssistanceRequest.objects.filter(pk=item.pk).update(residents_notified=notified)
        item.residents_notified = notified
        record(
            "assist.notify", request=request, actor=actor, agency=item.agency, target=item,
            changes={"residents_notified": notified},
        )  # fmt: skip
    return notified


def reject(
    item: AssistanceRequest, reason: str, *, actor: Any, request: HttpRequest | None = None
) -> None:
    check_approver(item, actor)
    with transaction.atomic():
        if not _move(item, {Status.PENDING}, Status.REJECTED, "assist.reject", actor, request,
                     rejected_reason=reason.strip()[:300], ended_at=timezone.now()):  # fmt: skip
            raise NotAllowed("only a request waiting for approval can be rejected", 409)


def close(item: AssistanceRequest, *, actor: Any, request: HttpRequest | None = None) -> None:
    """Stop taking shares before the expiry (the footage is found, the case solved)."""
    with transaction.atomic():
        if not _move(item, {Status.SENT}, Status.CLOSED, "assist.close", actor, request,
                     ended_at=timezone.now()):  # fmt: skip
            raise NotAllowed("only a sent request can be closed", 409)
