"""The worker asks "is this the caller's first text about the call?" once for a wave of rows
(texts.first_texts), and gets the answer is_first() gives row by row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from porchlight.notify import texts
from porchlight.notify.models import Outbox, State, Trigger
from porchlight.notify.tests.conftest import received
from standins.builders import cad_event

NOTICE = "Not monitored. Emergencies: 911. Reply STOP to opt out."


def _rows():
    return list(Outbox.objects.select_related("call__agency").filter(channel="sms").order_by("pk"))


@pytest.mark.django_db
def test_a_wave_gets_is_firsts_answer_in_one_query(call_in):
    call_in(
        received(),
        cad_event(2, status="dispatched", at="2026-11-22T14:16:00-08:00"),
        received(3, incident="26-000002", caller={"phone": "661-555-0199"}),
        cad_event(4, incident="26-000002", status="dispatched", at="2026-11-22T14:17:00-08:00"),
    )
    # The first call's received text went; the second call's did not.
    Outbox.objects.filter(call__incident_number="26-000001", trigger=Trigger.RECEIVED).update(
        state=State.DELIVERED
    )
    rows = _rows()
    dispatched = [r for r in rows if r.trigger == Trigger.DISPATCHED]
    assert len(dispatched) == 2
    expected = {r.pk: texts.is_first(r) for r in rows}
    assert sorted(expected[r.pk] for r in dispatched) == [False, True]

    first_of = texts.first_texts(rows)
    with CaptureQueriesContext(connection) as queries:
        got = {r.pk: first_of(r) for r in rows}
    assert got == expected
    assert len(queries) == 1

    for row in dispatched:
        body = texts.compose(row, row.call, None, first_of=first_of).body
        assert body.endswith(NOTICE) == expected[row.pk]
