"""The publish job: run by `porchlight worker` under a database lease, so one worker publishes
at a time however many run (DESIGN.md "Time"), and by `porchlight publishmap` by hand."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections

from porchlight.notify.worker import take_lease
from porchlight.publicmap import publish

log = logging.getLogger(__name__)

LEASE = "publicmap.publish"


def publish_due(holder: str, now: datetime | None = None) -> publish.Result | None:
    """Publish every agency's due records if we hold the lease; None when another worker does.

    The lease outlives two intervals, so a worker that dies lets another take over soon after.
    Two runs overlapping (a run slower than the lease) would do no harm: publishing is
    idempotent, on a unique (agency, source, key).
    """
    ttl = timedelta(seconds=max(120.0, 2 * settings.PUBLICMAP_PUBLISH_SECONDS))
    if not take_lease(LEASE, holder, ttl, now):
        return None
    result = publish.run_all(now)
    if result.published or result.unpublished or result.replaced:
        log.info(
            "public map: %s published, %s replaced by a preferred source, %s unpublished",
            result.published, result.replaced, result.unpublished,
        )  # fmt: skip
    return result


def loop(stop: threading.Event, holder: str) -> None:
    """The worker's publish thread: every PUBLICMAP_PUBLISH_SECONDS until stopped."""
    while not stop.is_set():
        try:
            publish_due(holder)
        except Exception:  # noqa: BLE001 - a database blip must not end the worker
            log.exception("public map: publish failed; retrying")
        finally:
            close_old_connections()
        stop.wait(settings.PUBLICMAP_PUBLISH_SECONDS)
