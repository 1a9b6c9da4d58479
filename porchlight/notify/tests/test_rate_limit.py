"""Pacing: each sending number's token bucket (in its Sender row) is shared by every worker,
and under the limit messages go in priority order."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from porchlight.notify import consent, pii
from porchlight.notify.channels.dev import DevInbox
from porchlight.notify.models import Contact, DevMessage, Outbox, Priority, Sender, State, Trigger
from porchlight.notify.tests.conftest import received
from porchlight.notify.worker import Worker, burst, refill
from standins.builders import at_once

START = datetime(2026, 11, 22, 19, 0, tzinfo=UTC)  # 11:00 in Bakersfield: no quiet hours


def queue(agency, sender, priorities, *, at=START):
    """Due rows for one contact, the first due earliest; returns their ids in that order."""
    contact, _ = Contact.objects.get_or_create(
        agency=agency, channel="sms", address_hash=pii.lookup_hash("+16615550142"),
        defaults={"address_enc": pii.encrypt("+16615550142")},
    )  # fmt: skip
    ids = []
    for i, priority in enumerate(priorities):
        row = Outbox.objects.create(
            agency=agency, contact=contact, channel="sms", trigger=Trigger.RECEIVED,
            dedupe_key=f"test:{Outbox.objects.count()}", priority=priority, sender=sender,
            due_at=at - timedelta(seconds=len(priorities) - i),
        )  # fmt: skip
        ids.append(row.pk)
    return ids


def claim_together(workers, limit):
    """Every worker claims once, all at the same moment; returns what each got."""
    got: dict[str, list[int]] = {}

    def run(w):
        got[w.name] = w.claim(limit)

    at_once(run, workers, timeout=60)
    return got


@pytest.mark.django_db(transaction=True)
def test_three_workers_on_one_long_code_never_exceed_its_bucket(agency):
    sender = Sender.objects.create(agency=agency, label="Main", phone_number="+16615550100")
    assert sender.rate == 1.0
    # Routine rows were queued first, urgent ones last: the urgent go first all the same.
    routine = queue(agency, sender, [Priority.ROUTINE] * 5)
    case = queue(agency, sender, [Priority.CASE] * 5)
    urgent = queue(agency, sender, [Priority.URGENT] * 5)
    workers = [Worker({}, name=f"w{i}") for i in range(3)]
    claims: list[tuple[float, int]] = []
    late_urgent: list[int] = []
    with time_machine.travel(START, tick=False) as clock:
        for step in range(41):  # every quarter second from 0 to 10 s
            seconds = step / 4
            if seconds == 5.0:  # a call update arrives while case updates wait
                late_urgent = queue(
                    agency, sender, [Priority.URGENT], at=START + timedelta(seconds=5)
                )
            for ids in claim_together(workers, 5).values():
                claims += [(seconds, pk) for pk in ids]
            clock.shift(timedelta(seconds=0.25))
        for w in workers:
            w._pool.shutdown()

    ids = [pk for _, pk in sorted(claims)]
    assert len(ids) == len(set(ids))
    # A full bucket (one token) at 0 s, then one a second: 11 in 10 s, never more in any span.
    assert len(ids) == 11
    times = sorted(t for t, _ in claims)
    for i, start in enumerate(times):
        for j in range(i, len(times)):
            assert j - i + 1 <= burst(1.0) + (times[j] - start) * 1.0
    # Priority, then due time: the late urgent row overtakes the case updates, which all go
    # before any routine row.
    assert ids == urgent + late_urgent + case
    assert not set(routine) & set(ids)


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_debit_the_bucket_exactly(agency):
    """Four workers at one instant take exactly the bucket between them: the Sender row lock
    makes each see the others' debits (without it each would take its own full batch)."""
    sender = Sender.objects.create(
        agency=agency, label="Short code", profile=Sender.Profile.SHORT_CODE, phone_number="72345"
    )
    queue(agency, sender, [Priority.URGENT] * 150)
    workers = [Worker({}, name=f"w{i}") for i in range(4)]
    taken: list[int] = []
    with time_machine.travel(START, tick=False):
        while got := claim_together(workers, 7):
            batch = [pk for ids in got.values() for pk in ids]
            if not batch:
                break
            taken += batch
    assert len(taken) == len(set(taken)) == 100  # 100/s: one second's burst
    assert Outbox.objects.filter(state=State.SENDING).count() == 100
    assert Sender.objects.get(pk=sender.pk).tokens == pytest.approx(0.0, abs=1e-6)


@pytest.mark.django_db(transaction=True)
def test_rows_without_a_sender_are_not_paced(agency):
    sender = Sender.objects.create(agency=agency, label="Main", phone_number="+16615550100")
    paced = queue(agency, sender, [Priority.URGENT] * 5)
    unpaced = queue(agency, None, [Priority.ROUTINE] * 30)
    w = Worker({}, name="w")
    with time_machine.travel(START, tick=False):
        got = w.claim(64)
    w._pool.shutdown()
    assert set(got) == {paced[0], *unpaced}
    assert w.paced_wait == pytest.approx(1.0)  # the next token, a second away


@pytest.mark.django_db(transaction=True)
def test_a_pool_carries_one_message_a_second_per_number(agency):
    pool = Sender.objects.create(
        agency=agency, label="Pool", profile=Sender.Profile.POOL, pool_size=3,
        messaging_service_sid="MG00000000000000000000000000000000",
    )  # fmt: skip
    toll_free = Sender(profile=Sender.Profile.TOLL_FREE)
    assert (pool.rate, toll_free.rate, Sender(rate_per_second=0.5).rate) == (3.0, 3.0, 0.5)
    queue(agency, pool, [Priority.URGENT] * 20)
    w = Worker({}, name="w")
    with time_machine.travel(START, tick=False) as clock:
        counts = [len(w.claim(64))]
        for pause in (1, 0.5, 0.5, 5):
            clock.shift(timedelta(seconds=pause))
            counts.append(len(w.claim(64)))
    w._pool.shutdown()
    # Three a second, and an idle pool saves up no more than one second's worth.
    assert counts == [3, 3, 1, 2, 3]


def test_bucket_refills_at_the_rate_up_to_one_seconds_worth():
    sender = Sender(profile=Sender.Profile.TOLL_FREE, tokens=0.0, refilled_at=START)
    assert refill(sender, START + timedelta(seconds=0.5)) == pytest.approx(1.5)
    assert refill(sender, START + timedelta(minutes=5)) == 3.0  # the burst, not 900
    assert refill(sender, START - timedelta(seconds=5)) == 0.0  # a clock behind adds nothing
    assert refill(Sender(profile=Sender.Profile.LONG_CODE), START) == 1.0  # new: full
    assert burst(0.2) == 1.0


@pytest.mark.django_db(transaction=True)
def test_a_message_not_sent_gives_its_token_back(call_in, agency, clock):
    sender = Sender.objects.create(agency=agency, label="Main", phone_number="+16615550100")
    call_in(received(1), received(2, incident="26-000002", caller={"phone": "6615550143"}))
    first, second = Outbox.objects.filter(trigger=Trigger.RECEIVED).order_by("id")
    Outbox.objects.filter(pk__in=[first.pk, second.pk]).update(sender=sender)
    consent.opt_out("sms", first.contact.address_hash, sender.phone_number, "sms:STOP")
    w = Worker({"sms": DevInbox("sms")}, name="w", track_url=lambda call: None)
    with time_machine.travel(datetime.now(UTC), tick=False):
        assert w.run_once() == 1  # the opted-out one: suppressed, its token returned
        assert w.run_once() == 1  # so the next goes in the same second
        assert w.run_once() == 0
    w._pool.shutdown()
    assert Outbox.objects.get(pk=first.pk).state == State.SUPPRESSED
    assert DevMessage.objects.get().outbox_id == second.pk


@pytest.mark.django_db(transaction=True)
def test_worker_once_waits_for_tokens_rather_than_leaving_due_rows(call_in, agency, settings):
    settings.DEV_INBOX = True
    sender = Sender.objects.create(
        agency=agency, label="Toll-free", profile=Sender.Profile.TOLL_FREE,
        phone_number="+18005550100",
    )  # fmt: skip
    call_in(*[received(i, incident=f"26-{i:06d}") for i in range(1, 6)])
    Outbox.objects.filter(trigger=Trigger.RECEIVED).update(sender=sender)
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    assert out.getvalue().strip() == "handled 5 messages"
    assert DevMessage.objects.count() == 5  # 3 at once, 2 more within the next second
