"""The "needs mapping" rule, once: when a call is flagged for staff because of its codes.

A call needs mapping while it has no call type, its call type has not been reviewed, or its
priority code has no rank. Intake applies the rule to every call a batch touches
(`needs_mapping`); the console and the admin re-apply it to the calls of a code when staff map
it (`save_code`). Nothing else sets or clears `Call.needs_mapping`.

The flag is the console's worklist ("calls waiting for a mapping"); whether a call may be texted
is decided from its call type itself (`notify.plan.exclusion`), so a stale flag never texts
anyone. It must still not go stale, and an intake batch racing a mapping change could leave it
so. Why it cannot, on PostgreSQL (READ COMMITTED), with T = the intake batch and S = staff:

1. `hold()`: T takes FOR SHARE on the unmapped codes it read for the calls in its batch, and
   reads their flags again from the locked rows, before it locks any call. S changes the code
   first (its UPDATE takes the row's lock), then re-evaluates the calls, in one transaction.
   - S first: T's FOR SHARE waits for S to commit, then returns the new row: T sees the code
     mapped, and the calls it writes are not flagged.
   - T first: S's UPDATE of the code waits for T to commit; S's re-evaluation is a later
     statement, with a new snapshot that includes T's calls (new ones too), and clears them.
2. Calls already in the database that T does not name the code for (a call whose type came in
   an earlier batch) are covered by the call's row lock: S's re-evaluation locks the calls it
   reconsiders (FOR UPDATE), so it waits for T, then re-reads each call and its codes after
   T committed.
3. No deadlock: both take code locks before call locks, and both lock calls in incident-number
   order.

On SQLite, IMMEDIATE transactions admit one writer at a time, so T and S never interleave; S's
change and re-evaluation are one transaction for the same reason.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from porchlight.agencies.models import PriorityCode
from porchlight.calls.models import Call, CallType


def needs_mapping(call_type: CallType | None, priority: PriorityCode | None) -> bool:
    """The rule: no call type, an unreviewed call type, or a priority code without a rank."""
    return (
        call_type is None
        or call_type.needs_mapping
        or (priority is not None and priority.needs_mapping)
    )


def hold(call_types: dict[str, CallType], priorities: dict[str, PriorityCode]) -> None:
    """Intake, before it locks any call: lock the unmapped codes of the batch against a
    concurrent mapping (FOR SHARE: other batches may hold them too) and refresh their flags
    from the locked rows. Nothing to do in the usual batch, whose codes are all mapped; nothing
    on SQLite, whose writers never interleave."""
    if connection.vendor != "postgresql":
        return
    held: list[tuple[type[Any], str, dict[int, Any]]] = [
        (CallType, "needs_mapping", {c.pk: c for c in call_types.values() if c.needs_mapping}),
        (PriorityCode, "rank", {p.pk: p for p in priorities.values() if p.needs_mapping}),
    ]
    with connection.cursor() as cursor:
        for model, column, codes in held:
            if not codes:
                continue
            cursor.execute(
                f"SELECT id, {column} FROM {model._meta.db_table} "
                "WHERE id = ANY(%s) ORDER BY id FOR SHARE",
                [sorted(codes)],
            )
            for pk, value in cursor.fetchall():
                setattr(codes[pk], column, value)


def save_code(code: CallType | PriorityCode, **save: Any) -> int:
    """Save a code staff changed, and re-apply the rule to its calls, in one transaction: the
    code's row first, then the calls (see the module's docstring for why this order). Returns
    how many calls were cleared."""
    with transaction.atomic():
        code.save(**save)
        return reevaluate(code)


def reevaluate(code: CallType | PriorityCode) -> int:
    """Re-apply the rule to the calls of a code whose flag may now be wrong, after the code was
    saved in the current transaction. Returns how many calls were cleared (flags set again, when
    a code is marked unreviewed, are not counted)."""
    field = "call_type_id" if isinstance(code, CallType) else "priority_id"
    # Only calls whose flag this code can change: flagged ones once it is mapped, unflagged
    # ones while it is not (an admin can mark a type unreviewed again).
    calls = Call.objects.filter(
        agency_id=code.agency_id, **{field: code.pk}, needs_mapping=not code.needs_mapping
    ).order_by("incident_number")
    if connection.features.has_select_for_update:
        # No join: the codes are read after the lock, so they include what a batch holding
        # one of these calls committed (see intake's note on FOR UPDATE and outer joins).
        calls = calls.select_for_update()
    rows = list(calls.values_list("pk", "call_type_id", "priority_id", "needs_mapping"))
    if not rows:
        return 0
    types = CallType.objects.in_bulk({r[1] for r in rows if r[1] is not None})
    ranks = PriorityCode.objects.in_bulk({r[2] for r in rows if r[2] is not None})
    clear: list[int] = []
    flag: list[int] = []
    for pk, type_id, priority_id, flagged in rows:
        wanted = needs_mapping(
            types.get(type_id) if type_id is not None else None,
            ranks.get(priority_id) if priority_id is not None else None,
        )
        if wanted != flagged:
            (flag if wanted else clear).append(pk)
    if clear:
        Call.objects.filter(pk__in=clear).update(needs_mapping=False)
    if flag:
        Call.objects.filter(pk__in=flag).update(needs_mapping=True)
    return len(clear)
