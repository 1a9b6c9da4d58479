"""An intake batch racing a mapping change never leaves a call flagged "needs mapping".

Real concurrent transactions, in threads with their own connections. A third transaction holds
one call's row lock to stop the first of the two racers mid-way, so the other runs while it
is open; on PostgreSQL the test waits until the database says the right sessions are waiting
for a lock. On SQLite, whose IMMEDIATE transactions admit one writer, the same interleaving
queues the two instead; the outcome must be the same.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction
from django.db.models import F

from porchlight.agencies.models import PriorityCode
from porchlight.calls import unmapped
from porchlight.calls.intake import Feed, ingest
from porchlight.calls.models import Call, CallType
from standins.builders import cad_event, make_agency

AT = "2026-11-22T14:{:02d}:00-08:00"


class Racer(threading.Thread):
    """Runs `work` in its own thread and connection; errors come back to the test."""

    def __init__(self, work: Callable[[], object]) -> None:
        super().__init__(daemon=True)
        self.work = work
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.work()
        except BaseException as exc:  # noqa: BLE001 - raised again in finish()
            self.error = exc
        finally:
            connections.close_all()

    def finish(self) -> None:
        self.join(timeout=60)
        assert not self.is_alive(), "deadlocked"
        if self.error is not None:
            raise self.error


class Blocker(Racer):
    """Holds one call's row lock (PostgreSQL) or the write lock (SQLite) until released."""

    def __init__(self, call_pk: int) -> None:
        self.held, self.release = threading.Event(), threading.Event()

        def hold() -> None:
            with transaction.atomic():
                Call.objects.filter(pk=call_pk).update(updated=F("updated"))
                self.held.set()
                assert self.release.wait(30)

        super().__init__(hold)


def waiting(n: int, *, unless: threading.Thread | None = None) -> None:
    """Until n sessions of this database wait for a lock (PostgreSQL), or a moment (SQLite).
    Stops early when `unless` has finished: then that racer did not wait at all."""
    if connection.vendor != "postgresql":
        time.sleep(0.4)
        return
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if unless is not None and not unless.is_alive():
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0] >= n:
                return
        time.sleep(0.02)
    raise AssertionError(f"{n} sessions never waited for a lock")


def setup() -> tuple[Feed, Call, Call]:
    """A mapped call (the one the blocker holds) and a call flagged for the new type LOIT."""
    agency = make_agency()
    feed = Feed(agency=agency, source="cad", covered={agency.ori: agency})
    ingest(
        feed,
        [
            cad_event(1, incident="26-1", at=AT.format(1)),
            cad_event(2, incident="26-2", call_type="LOIT", at=AT.format(2)),
        ],
    )
    held, flagged = Call.objects.order_by("incident_number")
    assert flagged.needs_mapping and not held.needs_mapping
    return feed, held, flagged


def map_loitering() -> None:
    """What the console and the admin do: review the type, in the one function they call."""
    loit = CallType.objects.get(code="LOIT")
    loit.needs_mapping = False
    unmapped.save_code(loit)


def map_seven_x() -> None:
    code = PriorityCode.objects.get(code="7X")
    code.rank = 3
    unmapped.save_code(code)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("code", "mapping"),
    [({"call_type": "LOIT"}, map_loitering), ({"priority": "7X"}, map_seven_x)],
    ids=["call type", "priority"],
)
def test_staff_map_a_code_while_a_batch_using_it_is_open(code, mapping):
    """The batch has read the code as unmapped and made a new call with it when staff map it."""
    feed, held, _ = setup()
    ingest(feed, [cad_event(9, incident="26-5", priority="7X", at=AT.format(9))])
    blocker = Blocker(held.pk)
    blocker.start()
    assert blocker.held.wait(10)
    # One batch: an update of the held call (where it stops, mid-transaction) and a new call
    # with the unmapped code, sorting before it so it is already inserted.
    batch = Racer(
        lambda: ingest(
            feed,
            [
                cad_event(3, incident="26-1", status="dispatched", at=AT.format(3)),
                cad_event(4, incident="26-0", at=AT.format(4), **code),
            ],
        )
    )
    batch.start()
    waiting(1)
    staff = Racer(mapping)
    staff.start()
    # Staff must wait for the batch (or, without the fix, would finish now).
    waiting(2, unless=staff)
    blocker.release.set()
    for racer in (blocker, batch, staff):
        racer.finish()

    assert not Call.objects.get(incident_number="26-0").needs_mapping
    assert not Call.objects.get(incident_number="26-1").needs_mapping


@pytest.mark.django_db(transaction=True)
def test_a_batch_using_a_type_arrives_while_staff_are_mapping_it():
    """Staff have saved LOIT, and are still re-evaluating its calls, when a batch uses LOIT."""
    feed, _, flagged = setup()
    # Staff's re-evaluation stops at the flagged call's row lock, after LOIT's row is changed.
    blocker = Blocker(flagged.pk)
    blocker.start()
    assert blocker.held.wait(10)
    staff = Racer(map_loitering)
    staff.start()
    waiting(1)
    batch = Racer(lambda: ingest(feed, [cad_event(5, incident="26-3", call_type="LOIT")]))
    batch.start()
    # The batch must wait for staff (or, without the fix, would finish now, flagged).
    waiting(2, unless=batch)
    blocker.release.set()
    for racer in (blocker, staff, batch):
        racer.finish()

    assert dict(Call.objects.values_list("incident_number", "needs_mapping")) == {
        "26-1": False,
        "26-2": False,
        "26-3": False,
    }


@pytest.mark.django_db
def test_the_rule():
    agency = make_agency()
    mapped = CallType(agency=agency, code="A", needs_mapping=False)
    unreviewed = CallType(agency=agency, code="B", needs_mapping=True)
    ranked = PriorityCode(agency=agency, code="1", rank=1)
    unranked = PriorityCode(agency=agency, code="9", rank=None)

    assert not unmapped.needs_mapping(mapped, None)
    assert not unmapped.needs_mapping(mapped, ranked)
    assert unmapped.needs_mapping(None, ranked)
    assert unmapped.needs_mapping(unreviewed, ranked)
    assert unmapped.needs_mapping(mapped, unranked)


@pytest.mark.django_db
def test_marking_a_type_unreviewed_again_flags_its_calls():
    setup()
    burglary = CallType.objects.get(code="459R")
    burglary.needs_mapping = True

    assert unmapped.save_code(burglary) == 0

    assert Call.objects.get(incident_number="26-1").needs_mapping
