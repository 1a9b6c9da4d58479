"""The page shows the call's progress and how to follow up, and nothing personal or sensitive."""

from __future__ import annotations

import re

from porchlight.calls.tests.track_calls import (
    ADDRESS,
    CALL_TAKER,
    EMAIL,
    INCIDENT,
    OFFICER,
    OFFICER_ID,
    PHONE,
    UNIT,
    apply,
    later,
    path_of,
    received,
    whole_call,
)
from porchlight.calls.track import link_for


def text_of(html: str) -> str:
    """The visible words, roughly: tags dropped, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_cleared_call_shows_every_step_with_times_and_the_report(client, agency):
    call = whole_call(agency)
    r = client.get(path_of(link_for(call)))
    assert r.status_code == 200
    html = r.content.decode()
    text = text_of(html)
    assert "Bakersfield Police Department" in text
    assert f"Incident {INCIDENT}" in text
    # When the call was received, in the agency's time zone (PST), not the server's UTC.
    assert "Nov. 22, 2026, 2:14 p.m. PST" in text
    steps = re.findall(r'<span class="track-step">([^<]+)</span>', html)
    assert steps == [
        "Call received",
        "Officer assigned",
        "Officer on the way",
        "Officer arrived",
        "Call completed",
    ]
    for t in ("2:14 p.m.", "2:20 p.m.", "2:22 p.m.", "2:31 p.m.", "3:05 p.m."):
        assert t in text
    assert "The officers have finished with this call." in text
    assert "An officer took a report." in text  # RPT in public words
    assert "The report number is R26-004411" in text
    assert "To ask for a copy" in text
    assert 'href="tel:+16613277111"' in html and "661-327-7111" in text
    assert "This page is not monitored. In an emergency, call 911." in text


def test_a_waiting_call_says_what_happens_next(client, agency):
    call = apply(agency, received())
    text = text_of(client.get(path_of(link_for(call))).content.decode())
    assert "Your call is waiting for the next available officer." in text
    assert "Officer assigned" not in text
    # No report number yet: no report section.
    assert "A copy of the report" not in text


def test_a_step_the_cad_skipped_is_left_out_and_cancelled_says_so(client, agency):
    call = apply(
        agency,
        received(),
        later(2, "onscene", "2026-11-22T14:40:00-08:00"),
        later(3, "cancelled", "2026-11-22T14:45:00-08:00", disposition="CAN"),
    )
    html = client.get(path_of(link_for(call))).content.decode()
    steps = re.findall(r'<span class="track-step">([^<]+)</span>', html)
    assert steps == ["Call received", "Officer arrived", "Call cancelled"]
    assert "This call was cancelled." in text_of(html)
    assert "CAN" not in text_of(html)


def test_an_unknown_disposition_code_is_left_out(client, agency):
    call = apply(
        agency, received(), later(2, "cleared", "2026-11-22T15:00:00-08:00", disposition="X9Z")
    )
    text = text_of(client.get(path_of(link_for(call))).content.decode())
    assert "The officers have finished with this call." in text
    assert "X9Z" not in text


def test_nothing_personal_or_sensitive_reaches_the_page(client, agency):
    call = whole_call(agency)
    html = client.get(path_of(link_for(call))).content.decode()
    digits = re.sub(r"\D", "", PHONE)
    forbidden = [
        PHONE,
        digits,
        digits[-4:],  # not even masked
        EMAIL,
        "maria",
        ADDRESS,
        "Truxtun",
        "35.37",
        "-119.0",
        "B12",
        OFFICER,
        "Reyes",
        OFFICER_ID,
        UNIT,
        CALL_TAKER,
        # The call type, as code or words, and the priority: not for the public.
        "459R",
        "burglary",
        "Burglary",
        "Urgent",
        "RPT",
    ]
    leaked = [f for f in forbidden if f in html]
    assert not leaked, f"the public page shows {leaked}"
