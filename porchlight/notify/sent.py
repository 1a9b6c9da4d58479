"""The one way an outbox row becomes `sent` or `delivered`.

Four paths learn that the provider has a message: the worker (the provider's answer to its
send), Twilio's status callback (`views.sms_status`), the email provider's tracking webhook
(`bounces.py`) and reconciliation (`Worker.reconcile`, asking the provider about a row a dead
worker left `sending`). Each calls `record_sent()`, so each sets what the per-recipient caps,
`/metrics` and reply matching read: `sent_at` (kept when already set: a delivery report after
the send does not move it), the provider's id (kept when already known), and `sent_by`, which
path it was.

The worker writes a whole batch's answers at once (`record_sent_by_worker`), the same way.

Each path passes its own guard (which rows it may move: the worker only a row it still holds,
a callback never a settled one, …) as the queryset; the update is one conditional UPDATE, so
two paths racing for one row settle it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Case, F, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from porchlight.notify.models import Outbox, SentBy, State


def record_sent(
    rows: QuerySet[Outbox],
    by: SentBy,
    *,
    provider_id: str = "",
    delivered_at: datetime | None = None,
    **fields: Any,
) -> int:
    """Move the rows the guard `rows` selects to `sent` (or `delivered`, when `delivered_at` is
    given); returns how many moved. `fields` are written too (body, reason, claimed_by, …)."""
    now = timezone.now()
    update: dict[str, Any] = {
        "state": State.SENT if delivered_at is None else State.DELIVERED,
        "sent_at": Coalesce(F("sent_at"), Value(now)),
        # The path that sent it, not the one that later heard it was delivered.
        "sent_by": Case(When(sent_at__isnull=True, then=Value(str(by))), default=F("sent_by")),
        "updated": now,
        **fields,
    }
    if delivered_at is not None:
        update["delivered_at"] = delivered_at
    if provider_id:
        update["provider_id"] = Case(
            When(provider_id="", then=Value(provider_id)), default=F("provider_id")
        )
    return rows.update(**update)


def record_sent_by_worker(worker: str, sent: Sequence[tuple[int, str, bool]]) -> int:
    """The worker's answers for a batch, in one UPDATE: each (outbox id, provider id,
    delivered) moves as record_sent moves it, guarded as the worker's own send is (the row is
    still `sending` and claimed by `worker`). Returns how many moved."""
    if not sent:
        return 0
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    table = connection.ops.quote_name(Outbox._meta.db_table)
    # A CTE of VALUES: one code path for PostgreSQL and SQLite (which has no column list on a
    # VALUES alias). The casts give PostgreSQL the columns' types.
    values = ", ".join(["(CAST(%s AS bigint), %s, CAST(%s AS integer))"] * len(sent))
    params: list[Any] = [p for pk, pid, delivered in sent for p in (pk, pid, int(delivered))]
    sql = (
        f"WITH v(id, provider_id, delivered) AS (VALUES {values}) "
        f"UPDATE {table} SET "
        f"state = CASE WHEN v.delivered = 1 THEN %s ELSE %s END, "
        f"sent_at = COALESCE({table}.sent_at, %s), "
        f"sent_by = CASE WHEN {table}.sent_at IS NULL THEN %s ELSE {table}.sent_by END, "
        f"delivered_at = CASE WHEN v.delivered = 1 THEN %s ELSE {table}.delivered_at END, "
        f"provider_id = CASE WHEN {table}.provider_id = '' THEN v.provider_id "
        f"ELSE {table}.provider_id END, "
        f"reason = '', updated = %s "
        f"FROM v WHERE {table}.id = v.id AND {table}.state = %s AND {table}.claimed_by = %s"
    )
    params += [str(State.DELIVERED), str(State.SENT), now, str(SentBy.WORKER), now, now]
    params += [str(State.SENDING), worker]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
