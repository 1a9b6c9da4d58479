"""The local Twilio's Messages API, through the real SDK: create, fetch, list and paging."""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime

import requests

from standins.twilio_local.testing import FROM_NUMBER

TO = "+15558675310"


def test_create_returns_twilios_message_resource(local_twilio, twilio_client):
    message = twilio_client.messages.create(to=TO, from_=FROM_NUMBER, body="Call received.")

    assert re.fullmatch(r"SM[0-9a-f]{32}", message.sid)
    assert message.account_sid == local_twilio.account_sid
    assert (message.to, message.from_, message.body) == (TO, FROM_NUMBER, "Call received.")
    assert message.status == "queued"
    assert message.direction == "outbound-api"
    assert message.num_segments == "1"
    assert message.error_code is None
    assert message.api_version == "2010-04-01"
    assert (
        message.uri
        == f"/2010-04-01/Accounts/{local_twilio.account_sid}/Messages/{message.sid}.json"
    )
    assert message.date_created is not None  # the SDK parsed an RFC 2822 date


def test_raw_create_is_201_with_rfc2822_dates(local_twilio):
    response = requests.post(
        f"{local_twilio.base_url}/2010-04-01/Accounts/{local_twilio.account_sid}/Messages.json",
        data={"To": TO, "From": FROM_NUMBER, "Body": "hi"},
        auth=(local_twilio.account_sid, local_twilio.auth_token),
        timeout=5,
    )
    assert response.status_code == 201
    body = response.json()
    assert parsedate_to_datetime(body["date_created"]).utcoffset().total_seconds() == 0
    assert body["date_created"].endswith("+0000")
    assert body["date_sent"] is None
    assert set(body) >= {
        "sid",
        "account_sid",
        "to",
        "from",
        "body",
        "status",
        "num_segments",
        "direction",
        "date_created",
        "uri",
        "error_code",
        "subresource_uris",
    }


def test_segments_follow_gsm7_and_ucs2(twilio_client):
    def segments(body: str) -> str:
        return twilio_client.messages.create(to=TO, from_=FROM_NUMBER, body=body).num_segments

    assert segments("a" * 160) == "1"
    assert segments("a" * 161) == "2"  # 153 per part once concatenated
    assert segments("€" * 80) == "1"  # extension characters cost two septets
    assert segments("a" * 69 + "’") == "1"  # a curly quote forces UCS-2: 70 fit
    assert segments("a" * 70 + "’") == "2"


def test_fetch_returns_the_same_message_and_its_progress(local_twilio, twilio_client):
    created = twilio_client.messages.create(to=TO, from_=FROM_NUMBER, body="hello")
    local_twilio.wait_for_status(created.sid, "delivered")

    fetched = twilio_client.messages(created.sid).fetch()

    assert fetched.sid == created.sid
    assert fetched.body == "hello"
    assert fetched.status == "delivered"
    assert fetched.date_sent is not None


def test_fetch_of_an_unknown_sid_is_twilios_404(local_twilio, twilio_client):
    response = requests.get(
        f"{local_twilio.base_url}/2010-04-01/Accounts/{local_twilio.account_sid}/Messages/SM{'0' * 32}.json",
        auth=(local_twilio.account_sid, local_twilio.auth_token),
        timeout=5,
    )
    assert response.status_code == 404
    assert response.json()["code"] == 20404


def test_list_filters_by_to_and_from(twilio_client):
    twilio_client.messages.create(to=TO, from_=FROM_NUMBER, body="one")
    twilio_client.messages.create(to="+15550000002", from_=FROM_NUMBER, body="two")
    twilio_client.messages.create(to=TO, from_="+15017122662", body="three")

    assert [m.body for m in twilio_client.messages.list(to=TO)] == ["three", "one"]
    assert [m.body for m in twilio_client.messages.list(from_=FROM_NUMBER)] == ["two", "one"]
    assert [m.body for m in twilio_client.messages.list(to=TO, from_=FROM_NUMBER)] == ["one"]


def test_list_pages_with_twilios_envelope(local_twilio, twilio_client):
    for n in range(5):
        twilio_client.messages.create(to=TO, from_=FROM_NUMBER, body=f"m{n}")

    page = twilio_client.messages.page(to=TO, page_size=2)
    raw = page._payload
    assert set(raw) == {
        "messages",
        "end",
        "first_page_uri",
        "next_page_uri",
        "page",
        "page_size",
        "previous_page_uri",
        "start",
        "uri",
    }
    assert (raw["page"], raw["page_size"], raw["start"], raw["end"]) == (0, 2, 0, 1)
    assert raw["previous_page_uri"] is None
    assert "PageToken=PA" in raw["next_page_uri"]

    # The SDK follows next_page_uri through the whole list, newest first.
    assert [m.body for m in twilio_client.messages.list(to=TO, page_size=2)] == [
        "m4",
        "m3",
        "m2",
        "m1",
        "m0",
    ]
    last = twilio_client.messages.page(to=TO, page_size=2).next_page().next_page()
    assert last._payload["next_page_uri"] is None


def test_paging_is_stable_while_new_messages_arrive(twilio_client):
    for n in range(4):
        twilio_client.messages.create(to=TO, from_=FROM_NUMBER, body=f"m{n}")
    first = twilio_client.messages.page(to=TO, page_size=2)
    twilio_client.messages.create(to=TO, from_=FROM_NUMBER, body="newer")

    second = first.next_page()

    assert [m.body for m in second] == ["m1", "m0"]


def test_list_filters_by_date_sent(local_twilio, twilio_client):
    sent = twilio_client.messages.create(to=TO, from_=FROM_NUMBER, body="sent")
    local_twilio.wait_for_status(sent.sid, "delivered")
    fetched = twilio_client.messages(sent.sid).fetch()
    day = fetched.date_sent.date()

    assert [m.sid for m in twilio_client.messages.list(date_sent=day)] == [sent.sid]
    assert twilio_client.messages.list(date_sent_before=fetched.date_sent.replace(year=2000)) == []


def test_bad_list_parameters_are_a_400(local_twilio):
    response = requests.get(
        f"{local_twilio.base_url}/2010-04-01/Accounts/{local_twilio.account_sid}/Messages.json",
        params={"PageSize": "many"},
        auth=(local_twilio.account_sid, local_twilio.auth_token),
        timeout=5,
    )
    assert response.status_code == 400
    assert "PageSize" in response.json()["message"] or "int" in response.json()["message"]
