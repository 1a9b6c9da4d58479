"""The triggers behind the mapping cache's token are all in the fully migrated database.

On SQLite, a migration that alters agencies_statuscode, agencies_prioritycode, calls_calltype
or agencies_agency rebuilds the table and drops its triggers without a word. The cache then
stops caching (calls/codebook.py), so no wrong mapping is applied, but intake loses the cache:
this test names the missing triggers so the migration can add them back.
"""

import pytest

from porchlight.calls import codebook
from porchlight.calls.intake import Feed, ingest
from standins.builders import cad_event


@pytest.mark.django_db
def test_every_mapping_version_trigger_exists():
    assert codebook.missing_triggers() == set()


@pytest.mark.django_db
def test_without_its_triggers_the_cache_reads_fresh_every_batch(agency, monkeypatch):
    codebook.clear()
    monkeypatch.setattr(codebook, "missing_triggers", lambda: {"calls_mapping_version_calltype"})
    ingest(Feed(agency=agency, source="cad", covered={agency.ori: agency}), [cad_event(1)])
    assert codebook._CACHE == {}
    codebook.clear()
