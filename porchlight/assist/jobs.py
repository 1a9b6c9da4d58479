"""The worker's periodic job (settings.NOTIFY_PERIODIC_JOBS): requests past their expiry
become expired, and shares not taken into evidence are deleted `retention_days` after their
request ended. Under a lease, so with any number of workers one does it."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from porchlight.assist import sharing
from porchlight.assist.models import AssistanceRequest, Share, Status
from porchlight.audit.log import record
from porchlight.notify.worker import take_lease

LEASE = "assist-retention"
LEASE_TTL = timedelta(minutes=2)


def expire(now: datetime) -> int:
    count = 0
    for item in AssistanceRequest.objects.filter(
        status__in=[Status.SENT, Status.PENDING, Status.DRAFT], expires_at__lte=now
    ).select_related("agency"):
        with transaction.atomic():
            if AssistanceRequest.objects.filter(pk=item.pk, status=item.status).update(
                status=Status.EXPIRED, ended_at=item.expires_at
            ):
                record("assist.expire", actor_label=LEASE, agency=item.agency, target=item)
                count += 1
    return count


def run(worker: str, now: datetime) -> int:
    """Expire and delete what is due. Returns how many requests and shares it changed."""
    due_requests = AssistanceRequest.objects.filter(
        status__in=[Status.SENT, Status.PENDING, Status.DRAFT], expires_at__lte=now
    ).exists()
    due_shares = Share.objects.filter(
        deleted_at__isnull=True, taken_into_evidence_at__isnull=True,
        request__expires_at__lte=now,
    ).exists() or Share.objects.filter(
        deleted_at__isnull=True, taken_into_evidence_at__isnull=True,
        request__ended_at__lte=now,
    ).exists()  # fmt: skip
    if not (due_requests or due_shares):
        return 0  # the common case, without touching the lease
    if not take_lease(LEASE, worker, LEASE_TTL, now):
        return 0
    return expire(now) + sharing.delete_due(now)
