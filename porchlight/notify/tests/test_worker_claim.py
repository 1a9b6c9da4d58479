"""Claiming: each due row goes to exactly one worker, in priority order."""

from datetime import timedelta

import pytest
from django.utils import timezone

from porchlight.notify.channels.dev import DevInbox
from porchlight.notify.models import Outbox, State
from porchlight.notify.tests.conftest import received
from porchlight.notify.worker import Worker
from standins.builders import at_once


def make_calls(call_in, n):
    call_in(
        *[received(i, incident=f"26-{i:06d}", caller={"phone": f"661555{i:04d}"}) for i in range(n)]
    )


@pytest.mark.django_db(transaction=True)
def test_claim_takes_only_due_rows_and_marks_them_sending(call_in):
    make_calls(call_in, 3)
    w = Worker({"sms": DevInbox()}, name="w1")
    ids = w.claim(10)
    assert len(ids) == 3  # the three first texts; the delay notices are not due
    assert set(Outbox.objects.filter(pk__in=ids).values_list("state", "claimed_by")) == {
        (State.SENDING, "w1")
    }
    assert w.claim(10) == []
    later = w.claim(10, now=timezone.now() + timedelta(hours=2))
    assert len(later) == 3  # now the delay notices are due


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_never_claim_the_same_row(call_in):
    make_calls(call_in, 60)
    claimed: dict[str, list[int]] = {}

    def run(name):
        w = Worker({"sms": DevInbox()}, name=name)
        mine = []
        while batch := w.claim(7):
            mine += batch
        claimed[name] = mine

    at_once(run, [f"w{i}" for i in range(4)], timeout=60)
    every = [pk for ids in claimed.values() for pk in ids]
    assert len(every) == len(set(every)) == 60
    for name, ids in claimed.items():
        assert set(Outbox.objects.filter(pk__in=ids).values_list("claimed_by", flat=True)) <= {name}
