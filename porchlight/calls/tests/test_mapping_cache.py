"""The per-process cache of an agency's mapping tables (calls/codebook.py) never applies a
mapping staff have changed, whoever changed it and however.

The changes are made the way another process would make them: committed on another database
connection (a thread with its own connection), some in raw SQL that no Python code of ours
sees. Only the database triggers of migration 0008 can tell the cache.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from porchlight.agencies.models import StatusCode
from porchlight.calls import codebook
from porchlight.calls.intake import Feed, ingest
from porchlight.calls.models import Call, CallType
from porchlight.notify.models import Outbox
from standins.builders import cad_event, elsewhere, make_agency

PHONE = "661-555-0142"


def feed_for(agency):
    return Feed(agency=agency, source="cad", covered={agency.ori: agency})


def raw_sql(sql: str, params: list[object]) -> Callable[[], None]:
    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    return run


@pytest.mark.django_db(transaction=True)
def test_a_status_code_remapped_on_another_connection_is_applied_by_the_next_batch():
    codebook.clear()
    agency = make_agency()
    StatusCode.objects.create(agency=agency, code="ARV", status="onscene")
    ingest(feed_for(agency), [cad_event(1, incident="26-000001", status="ARV")])
    assert Call.objects.get(incident_number="26-000001").status == "onscene"

    elsewhere(
        raw_sql(
            "UPDATE agencies_statuscode SET status = %s WHERE agency_id = %s AND code = %s",
            ["dispatched", agency.pk, "ARV"],
        )
    )
    ingest(feed_for(agency), [cad_event(2, incident="26-000002", status="ARV")])
    assert Call.objects.get(incident_number="26-000002").status == "dispatched"

    # And a code removed elsewhere is no longer mapped from the cache.
    elsewhere(lambda: StatusCode.objects.filter(agency=agency, code="ARV").delete())
    outcomes, _ = ingest(feed_for(agency), [cad_event(3, incident="26-000003", status="ARV")])
    assert outcomes[0].result == "rejected" and "unknown status" in outcomes[0].reason


@pytest.mark.django_db(transaction=True)
def test_a_call_type_made_sensitive_on_another_connection_is_never_texted():
    codebook.clear()
    agency = make_agency()
    ingest(feed_for(agency), [cad_event(1, incident="26-000001", caller={"phone": PHONE})])
    first = Call.objects.get(incident_number="26-000001")
    assert Outbox.objects.filter(call=first, state="planned").exists()

    elsewhere(
        raw_sql(
            "UPDATE calls_calltype SET sensitive = %s WHERE agency_id = %s AND code = %s",
            [True, agency.pk, "459R"],
        )
    )
    ingest(feed_for(agency), [cad_event(2, incident="26-000002", caller={"phone": PHONE})])
    second = Call.objects.get(incident_number="26-000002")
    rows = list(Outbox.objects.filter(call=second))
    assert rows and all(o.state == "suppressed" and o.reason == "sensitive call type" for o in rows)


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_token_a_later_change_could_match():
    # A counter would go v -> v+1 in the rolled-back change and again v -> v+1 in the next one,
    # and the cache filled inside the first would pass for current. Tokens are never reused.
    codebook.clear()
    agency = make_agency()
    code = StatusCode.objects.create(agency=agency, code="ARV", status="onscene")

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        StatusCode.objects.filter(pk=code.pk).update(status="cleared")
        ingest(feed_for(agency), [cad_event(1, incident="26-000001", status="ARV")])
        assert Call.objects.get(incident_number="26-000001").status == "cleared"
        raise Undo

    StatusCode.objects.filter(pk=code.pk).update(status="dispatched")
    ingest(feed_for(agency), [cad_event(2, incident="26-000002", status="ARV")])
    assert Call.objects.get(incident_number="26-000002").status == "dispatched"


@pytest.mark.django_db
def test_unchanged_tables_cost_one_read_per_batch():
    codebook.clear()
    agency = make_agency()
    StatusCode.objects.create(agency=agency, code="ARV", status="onscene")
    ingest(feed_for(agency), [cad_event(1, incident="26-000001", status="ARV")])

    with CaptureQueriesContext(connection) as ctx:
        ingest(feed_for(agency), [cad_event(2, incident="26-000002", status="ARV")])
    sql = [q["sql"] for q in ctx.captured_queries]
    assert sum("calls_mappingversion" in s for s in sql) == 1
    for table in ("agencies_statuscode", "calls_calltype", "agencies_prioritycode"):
        assert not any(f"FROM {table}" in s.replace('"', "") for s in sql), (table, sql)
    assert Call.objects.get(incident_number="26-000002").status == "onscene"


@pytest.mark.django_db(transaction=True)
def test_codes_intake_creates_are_cached_after_their_batch_commits():
    codebook.clear()
    agency = make_agency()
    ingest(feed_for(agency), [cad_event(1, incident="26-000001", call_type="NEW1")])
    # The batch created NEW1 without changing the token; its commit dropped the entry.
    ingest(feed_for(agency), [cad_event(2, incident="26-000002", call_type="NEW1")])
    book = codebook.for_agency(agency.pk)
    assert "NEW1" in book.call_types
    assert book.call_types["NEW1"].pk == CallType.objects.get(agency=agency, code="NEW1").pk
