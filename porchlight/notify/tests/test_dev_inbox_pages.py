"""The development inbox comes in pages: a long demo sends thousands of messages."""

import pytest

from porchlight.notify import views
from porchlight.notify.channels.dev import DevInbox
from porchlight.notify.tests.conftest import received
from porchlight.notify.worker import Worker


@pytest.fixture
def three_phones(call_in, settings, monkeypatch):
    settings.DEV_INBOX = True
    monkeypatch.setattr(views, "PER_PAGE", 2)
    call_in(
        received(1, incident="26-000001", caller={"phone": "661-555-0101"}),
        received(2, incident="26-000002", caller={"phone": "661-555-0102"}),
        received(3, incident="26-000003", caller={"phone": "661-555-0103"}),
    )
    worker = Worker({"sms": DevInbox()}, name="w", track_url=lambda call: "https://pl.example/t/x")
    worker.run_once()
    worker._pool.shutdown()


@pytest.mark.django_db(transaction=True)
def test_the_newest_messages_first_then_a_link_to_the_next_page(client, three_phones):
    first = client.get("/dev/inbox/").content.decode()
    second = client.get("/dev/inbox/?page=2").content.decode()

    assert first.count('class="bubble"') == 2 and second.count('class="bubble"') == 1
    assert "Page 1 of 2" in first and 'href="?page=2"' in first
    assert "Page 2 of 2" in second and 'href="?page=1"' in second
    # Every message is on exactly one page.
    numbers = ("26-000001", "26-000002", "26-000003")
    assert {n for n in numbers if n in first}.isdisjoint({n for n in numbers if n in second})
    assert {n for n in numbers if n in first} | {n for n in numbers if n in second} == set(numbers)
    assert '<nav class="pager" aria-label="Pages">' in first


@pytest.mark.django_db(transaction=True)
def test_a_page_past_the_end_shows_the_last_one(client, three_phones):
    r = client.get("/dev/inbox/?page=99")
    assert r.status_code == 200 and "Page 2 of 2" in r.content.decode()
