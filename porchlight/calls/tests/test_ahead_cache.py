"""The per-process cache of what planning and inviting read per agency (calls/ahead.py) never
applies a rule, delivery setting, sending number, survey or shift that staff have changed.

As in test_mapping_cache.py, changes are committed on another connection (a thread), some in
raw SQL: only the triggers of migration 0010 can tell the cache. The batches have two events
or more: a single event reads these lazily unless its agency's entry is current.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from porchlight.calls import ahead, codebook
from porchlight.calls.intake import Feed, ingest
from porchlight.feedback import invite
from porchlight.feedback.models import Invitation, Shift, Survey
from porchlight.feedback.models import Settings as FeedbackSettings
from porchlight.notify.models import DeliverySettings, Outbox, Rule, Sender, Trigger
from standins.builders import cad_event, elsewhere, make_agency

CACHED_TABLES = (
    "notify_rule",
    "notify_deliverysettings",
    "notify_sender",
    "feedback_survey",
    "feedback_shift",
    "feedback_settings",
)


def raw_sql(sql: str, params: list[object]) -> Callable[[], None]:
    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    return run


def batch(agency, first: int, status: str = "received", n: int = 2) -> list[Any]:
    """`n` events for `n` calls, each with its own caller; ingested, their outcomes returned."""
    events = [
        cad_event(
            first + i,
            incident=f"26-{first + i:06d}",
            status=status,
            caller={"phone": f"661555{first + i:04d}"},
        )
        for i in range(n)
    ]
    outcomes, _ = ingest(Feed(agency=agency, source="cad", covered={agency.ori: agency}), events)
    assert all(o.result == "applied" for o in outcomes), outcomes
    return outcomes


def rows(agency, first: int, trigger: str, n: int = 2) -> list[Outbox]:
    numbers = [f"26-{first + i:06d}" for i in range(n)]
    return list(
        Outbox.objects.filter(agency=agency, trigger=trigger, call__incident_number__in=numbers)
    )


def invitations(agency, first: int, n: int = 2) -> list[Invitation]:
    numbers = [f"26-{first + i:06d}" for i in range(n)]
    return list(Invitation.objects.filter(agency=agency, call__incident_number__in=numbers))


@pytest.mark.django_db(transaction=True)
def test_a_rule_switched_off_elsewhere_is_applied_by_the_next_batch():
    codebook.clear()
    agency = make_agency()
    batch(agency, 1)
    assert len(rows(agency, 1, Trigger.RECEIVED)) == 2
    elsewhere(
        raw_sql(
            "UPDATE notify_rule SET enabled = %s WHERE agency_id = %s AND trigger = %s",
            [False, agency.pk, Trigger.RECEIVED],
        )
    )
    batch(agency, 3)
    assert rows(agency, 3, Trigger.RECEIVED) == []


@pytest.mark.django_db(transaction=True)
def test_a_default_sender_added_elsewhere_sends_the_next_batchs_texts():
    codebook.clear()
    agency = make_agency()
    batch(agency, 1)
    assert {o.sender_id for o in rows(agency, 1, Trigger.RECEIVED) if o.channel == "sms"} == {None}
    made: list[Sender] = []
    elsewhere(
        lambda: made.append(
            Sender.objects.create(agency=agency, label="Main", phone_number="+16615550100")
        )
    )
    batch(agency, 3)
    assert {o.sender_id for o in rows(agency, 3, Trigger.RECEIVED) if o.channel == "sms"} == {
        made[0].pk
    }


@pytest.mark.django_db(transaction=True)
def test_a_merge_window_changed_elsewhere_holds_the_next_batchs_updates():
    codebook.clear()
    agency = make_agency()

    def held_seconds(first: int) -> set[int]:
        return {
            round((o.due_at - o.created).total_seconds())
            for o in rows(agency, first, Trigger.DISPATCHED)
        }

    batch(agency, 1)
    # Updates of calls already texted wait for the merge window (2 minutes by default).
    events = [cad_event(200 + i, incident=f"26-{1 + i:06d}", status="dispatched") for i in range(2)]
    ingest(Feed(agency=agency, source="cad", covered={agency.ori: agency}), events)
    assert held_seconds(1) == {120}

    elsewhere(lambda: DeliverySettings.objects.create(agency=agency, merge_seconds=600))
    batch(agency, 11)
    events = [
        cad_event(300 + i, incident=f"26-{11 + i:06d}", status="dispatched") for i in range(2)
    ]
    ingest(Feed(agency=agency, source="cad", covered={agency.ori: agency}), events)
    assert held_seconds(11) == {600}


def clearing(agency, first: int, n: int = 2) -> None:
    """`n` calls received and cleared in one batch, each with its own caller."""
    events = []
    for i in range(n):
        number, phone = f"26-{first + i:06d}", {"phone": f"661555{first + i:04d}"}
        events.append(cad_event(2 * (first + i), incident=number, caller=phone))
        events.append(
            cad_event(
                2 * (first + i) + 1,
                incident=number,
                status="cleared",
                at="2026-11-22T14:44:00-08:00",
            )
        )
    outcomes, _ = ingest(Feed(agency=agency, source="cad", covered={agency.ori: agency}), events)
    assert all(o.result == "applied" for o in outcomes), outcomes


@pytest.mark.django_db(transaction=True)
def test_a_survey_switched_off_elsewhere_asks_nobody_in_the_next_batch():
    codebook.clear()
    agency = make_agency()
    clearing(agency, 1)  # makes the agency's defaults (the token moves: nothing is kept)
    clearing(agency, 5)  # kept
    assert len(invitations(agency, 5)) == 2
    elsewhere(
        raw_sql("UPDATE feedback_survey SET enabled = %s WHERE agency_id = %s", [False, agency.pk])
    )
    clearing(agency, 11)
    assert invitations(agency, 11) == []


@pytest.mark.django_db(transaction=True)
def test_a_shift_added_elsewhere_is_the_next_batchs_invitations_shift():
    codebook.clear()
    agency = make_agency()
    clearing(agency, 1)  # makes the agency's defaults (the token moves: nothing is kept)
    clearing(agency, 5)  # kept
    assert {i.shift_id for i in invitations(agency, 5)} == {None}
    made: list[Shift] = []
    elsewhere(
        lambda: made.append(
            Shift.objects.create(agency=agency, name="Days", starts=time(6), ends=time(16))
        )
    )
    clearing(agency, 11)
    assert {i.shift_id for i in invitations(agency, 11)} == {made[0].pk}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        lambda a: Rule.objects.filter(agency=a).update(position=7),
        lambda a: Rule.objects.filter(agency=a).first().delete(),  # type: ignore[union-attr]
        lambda a: DeliverySettings.objects.create(agency=a),
        lambda a: Sender.objects.create(agency=a, label="Main", is_default=False),
        lambda a: Survey.objects.filter(agency=a).update(sample_percent=50),
        lambda a: Shift.objects.create(agency=a, name="Nights", starts=time(16), ends=time(6)),
        lambda a: FeedbackSettings.objects.filter(agency=a).delete(),
    ],
    ids=["rule", "rule-deleted", "settings", "sender", "survey", "shift", "feedback-settings"],
)
def test_every_cached_table_moves_the_token(change):
    agency = make_agency()
    invite.surveys_for({agency.pk}, "call_cleared")  # the agency's defaults
    before = codebook.current_version(agency.pk)
    change(agency)
    assert codebook.current_version(agency.pk) != before


@pytest.mark.django_db
def test_the_workers_token_bucket_does_not_move_the_token():
    # The delivery worker writes a sender's bucket on every claim: that must not empty the
    # caches. Its default flag does move the token.
    agency = make_agency()
    sender = Sender.objects.create(agency=agency, label="Main", phone_number="+16615550100")
    before = codebook.current_version(agency.pk)
    Sender.objects.filter(pk=sender.pk).update(tokens=3.5)
    assert codebook.current_version(agency.pk) == before
    Sender.objects.filter(pk=sender.pk).update(is_default=False)
    assert codebook.current_version(agency.pk) != before


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_no_entry_a_later_batch_could_take():
    codebook.clear()
    agency = make_agency()
    batch(agency, 1)

    class Undo(Exception):
        pass

    # Filled inside the transaction that switched the rule off, then rolled back.
    with pytest.raises(Undo), transaction.atomic():
        Rule.objects.filter(agency=agency, trigger=Trigger.RECEIVED).update(enabled=False)
        batch(agency, 3)
        assert rows(agency, 3, Trigger.RECEIVED) == []
        raise Undo

    batch(agency, 5)
    assert len(rows(agency, 5, Trigger.RECEIVED)) == 2


@pytest.mark.django_db(transaction=True)
def test_a_batch_that_made_the_defaults_and_rolled_back_leaves_no_entry(monkeypatch):
    # The first clearing batch makes the agency's default survey and rules; should it roll
    # back, its reads of them (rows that no longer exist) must not be taken for current.
    codebook.clear()
    agency = make_agency()

    def boom(applied: object) -> None:
        raise RuntimeError("after planning")

    monkeypatch.setattr(invite, "after_calls_cleared", boom)
    with pytest.raises(RuntimeError):
        clearing(agency, 1)
    monkeypatch.undo()
    assert not Survey.objects.filter(agency=agency).exists()

    clearing(agency, 11)
    assert len(invitations(agency, 11)) == 2
    assert {i.survey_id for i in invitations(agency, 11)} == set(
        Survey.objects.filter(agency=agency).values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_a_warm_batch_reads_none_of_the_cached_tables():
    codebook.clear()
    agency = make_agency()
    clearing(agency, 1)  # makes the defaults: the token moves, nothing is kept
    clearing(agency, 11)  # loads and keeps
    assert ahead._CACHE
    with CaptureQueriesContext(connection) as ctx:
        clearing(agency, 21)
    sql = [q["sql"].replace('"', "") for q in ctx.captured_queries]
    for table in CACHED_TABLES:
        assert not any(f"FROM {table}" in s for s in sql), (table, sql)
    assert len(invitations(agency, 21)) == 2
    assert len(rows(agency, 21, Trigger.CLEARED)) == 2
