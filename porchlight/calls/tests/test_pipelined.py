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
