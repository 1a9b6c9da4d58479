"""calls.bulk.pipelined(): writes nobody reads the result of are held back and sent with the
next statement that needs an answer, in order, and their errors still reach the caller as
Django's. On SQLite the block does nothing, and the same assertions hold."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from porchlight.calls import bulk
from porchlight.calls.models import MappingVersion

AGENCY = 987_654_321  # no such agency: MappingVersion has no foreign key


def held() -> int:
    return len(bulk._pending() or ())


@pytest.mark.django_db
def test_held_writes_go_before_the_next_statement_whoever_sends_it():
    with transaction.atomic(), bulk.pipelined():
        bulk.insert(MappingVersion, ["agency_id", "version"], [[AGENCY, 1]])
        if connection.vendor == "postgresql":
            assert held() == 1
        # An ORM read sees the held write: it was sent first.
        assert MappingVersion.objects.filter(agency_id=AGENCY).exists()
        assert held() == 0
        bulk.update(MappingVersion, ["version"], [MappingVersion(agency_id=AGENCY, version=2)])
        if connection.vendor == "postgresql":
            # A read of this module takes the held write with it, in one round trip.
            assert bulk.fetch_pg(
                "SELECT version FROM calls_mappingversion WHERE agency_id = %s", [AGENCY]
            ) == [(2,)]
        bulk.update(MappingVersion, ["version"], [MappingVersion(agency_id=AGENCY, version=3)])
    # The block sent the last one before the commit.
    assert MappingVersion.objects.get(agency_id=AGENCY).version == 3
    assert bulk._pending() is None


@pytest.mark.django_db
def test_a_held_write_that_fails_raises_djangos_error_and_nothing_stays_held():
    MappingVersion.objects.create(agency_id=AGENCY, version=1)
    with pytest.raises(IntegrityError), transaction.atomic(), bulk.pipelined():
        bulk.insert(MappingVersion, ["agency_id", "version"], [[AGENCY, 2]])  # the same key
        MappingVersion.objects.count()
    assert bulk._pending() is None
    assert MappingVersion.objects.get(agency_id=AGENCY).version == 1


@pytest.mark.django_db
def test_writes_held_when_the_block_fails_are_dropped_with_the_transaction():
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic(), bulk.pipelined():
        bulk.insert(MappingVersion, ["agency_id", "version"], [[AGENCY, 1]])
        raise Boom
    assert bulk._pending() is None
    assert not MappingVersion.objects.filter(agency_id=AGENCY).exists()


# --- the last held writes with the COMMIT (issue 9, sixth pass) ---------------------------------


def _committed_elsewhere() -> list[int]:
    """MappingVersion's versions for AGENCY as another connection sees them (committed)."""
    from django.db import connections

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT version FROM calls_mappingversion WHERE agency_id = %s", [AGENCY]
            )
            return [row[0] for row in cursor.fetchall()]
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_the_last_held_writes_go_with_the_commit():
    with transaction.atomic():
        with bulk.pipelined(commit=True):
            bulk.insert(MappingVersion, ["agency_id", "version"], [[AGENCY, 1]])
            if connection.vendor == "postgresql":
                assert held() == 1
        if connection.vendor == "postgresql":
            # Committed as the block ended, with the held write: atomic() has nothing left.
            assert connection.connection.info.transaction_status == 0  # IDLE
            assert _committed_elsewhere() == [1]
    assert bulk._pending() is None
    assert _committed_elsewhere() == [1]
    # The connection is as atomic() leaves it: autocommit, usable.
    assert not connection.in_atomic_block
    assert MappingVersion.objects.get(agency_id=AGENCY).version == 1


@pytest.mark.django_db(transaction=True)
def test_a_commit_that_fails_raises_djangos_error_and_keeps_nothing():
    """A foreign key is checked at COMMIT (Django's are deferred on PostgreSQL): a held row
    pointing nowhere fails there, and the caller sees IntegrityError (intake retries on it)."""
    from porchlight.feedback.models import Invitation

    through = Invitation.officers.through
    with pytest.raises(IntegrityError), transaction.atomic(), bulk.pipelined(commit=True):
        bulk.insert(MappingVersion, ["agency_id", "version"], [[AGENCY, 1]])
        if connection.vendor == "sqlite":
            # SQLite checks its foreign keys per statement (no deferral): same error.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA defer_foreign_keys = ON")
        bulk.insert(through, ["invitation", "officer"], [[987_654_321, 987_654_321]])
    assert bulk._pending() is None
    assert _committed_elsewhere() == []
    assert not connection.in_atomic_block
    assert not MappingVersion.objects.filter(agency_id=AGENCY).exists()  # usable


@pytest.mark.django_db(transaction=True)
def test_inside_a_callers_transaction_the_block_does_not_commit():
    """Under an outer atomic() (a caller's, ATOMIC_REQUESTS, a test's), the block's atomic is
    a savepoint: it must not commit the caller's transaction."""

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        with transaction.atomic(), bulk.pipelined(commit=True):
            bulk.insert(MappingVersion, ["agency_id", "version"], [[AGENCY, 1]])
        assert MappingVersion.objects.filter(agency_id=AGENCY).exists()
        raise Boom
    assert _committed_elsewhere() == []
    assert not MappingVersion.objects.filter(agency_id=AGENCY).exists()
