"""The Atom feeds follow RFC 4287 (atom_spec.check), per agency and per beat."""

import defusedxml.ElementTree as SafeET

from porchlight.alerts import publish
from porchlight.alerts.models import Kind

from . import atom_spec

A = atom_spec.A


def test_the_agency_feed_lists_live_alerts_newest_first(client, agency, grid):
    first = publish.publish(agency, publish.beats_area([grid["1A"]]), title="Road closed",
                            body="Main St is closed.")  # fmt: skip
    publish.publish(agency, publish.beats_area([grid["1B"]]), title="Coffee with a cop",
                    body="Saturday 9 AM.", kind=Kind.POST)  # fmt: skip
    response = client.get("/alerts/bakersfield/feed.atom")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    entries = atom_spec.check(SafeET.fromstring(response.content))
    assert [e.findtext(f"{A}title") for e in entries] == ["Coffee with a cop", "Road closed"]
    link = entries[1].find(f"{A}link[@rel='alternate']").get("href")
    assert link.endswith(f"/alerts/a/{first.share_token}/")
    assert entries[1].findtext(f"{A}content") == "Main St is closed."


def test_an_empty_feed_is_still_a_valid_feed(client, agency):
    atom_spec.check(SafeET.fromstring(client.get("/alerts/bakersfield/feed.atom").content))
    atom_spec.check(SafeET.fromstring(client.get("/alerts/bakersfield/cap.atom").content))


def test_an_unknown_agency_is_a_404(client, agency):
    assert client.get("/alerts/nowhere/feed.atom").status_code == 404
