"""Intake is set-based: a batch costs the same handful of statements whatever its size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from standins.builders import cad_event


def statements(send, events):
    with CaptureQueriesContext(connection) as ctx:
        send(*events)
    # The API key lookup and its last-used touch are per request, not per event.
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_statement_count_does_not_grow_with_the_batch(send):
    def calls(first, n, status, at):
        return [
            cad_event(
                first + i,
                incident=f"26-{first + i:06d}",
                status=status,
                at=at,
                caller={"phone": f"661555{(first + i) % 10000:04d}"},
                location={"address": "1 Main St"},
            )
            for i in range(n)
        ]

    small = statements(send, calls(0, 2, "received", "2026-11-22T10:00:00-08:00"))
    large = statements(send, calls(1000, 200, "received", "2026-11-22T10:00:00-08:00"))
    assert large <= small + 1  # +1: the key's last-used touch happens on the first request only
    assert large <= 18  # key, agency, covered agencies, then ~12 for the batch itself


@pytest.mark.django_db
def test_status_only_updates_to_existing_calls_cost_no_query_per_call(send):
    send(*[cad_event(i, incident=f"26-{i:06d}") for i in range(100)])

    # Later CAD events usually carry only the status: no call type, no priority.
    def updates(ids, status):
        return [
            {
                "event_id": f"{status}-{i}",
                "incident_number": f"26-{i:06d}",
                "status": status,
                "event_time": "2026-11-22T14:30:00-08:00",
            }
            for i in ids
        ]

    with CaptureQueriesContext(connection) as few:
        assert send(*updates(range(2), "dispatched"))["applied"] == 2
    with CaptureQueriesContext(connection) as many:
        assert send(*updates(range(2, 100), "dispatched"))["applied"] == 98
    assert len(many.captured_queries) == len(few.captured_queries), [
        q["sql"][:80] for q in many.captured_queries
    ]
