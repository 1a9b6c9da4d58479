"""A periodic job's turn: at most one run per interval across every worker.

The worker gives each periodic job a turn after every batch (notify.worker.Worker.periodic),
which is several times a second when busy. `notify.worker.take_lease` makes one worker the
holder, but the holder would run again each batch; the jobs here need "once a minute" (feeds)
or "once an hour" (purge), so the lease's expiry is the next run time, whoever holds it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from porchlight.notify.models import Lease


def turn(name: str, holder: str, every: timedelta, now: datetime) -> bool:
    """True when this call may run the job now; it then holds the lease for `every`."""
    # The common answer ("not yet") from a plain read: the worker asks after every batch, and
    # a write transaction each time would queue behind intake on SQLite for nothing.
    if Lease.objects.filter(name=name, expires_at__gt=now).exists():
        return False
    with transaction.atomic():
        taken = Lease.objects.filter(name=name, expires_at__lte=now).update(
            holder=holder, expires_at=now + every
        )
        if taken:
            return True
        if Lease.objects.filter(name=name).exists():
            return False
        try:
            with transaction.atomic():
                Lease.objects.create(name=name, holder=holder, expires_at=now + every)
        except IntegrityError:  # another worker created it first
            return False
        return True
