"""The CAP 1.2 feeds and messages follow the specification (cap_spec.check)."""

from datetime import timedelta
from xml.etree import ElementTree as ET

import defusedxml.ElementTree as SafeET
from django.utils import timezone

from porchlight.alerts import publish
from porchlight.alerts.models import Severity

from . import atom_spec, cap_spec
from .conftest import LAT, LON, STEP, square

CAP = cap_spec.CAP


def cap_entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = SafeET.fromstring(response.content)
    entries = atom_spec.check(root)
    alerts = []
    for entry in entries:
        content = entry.find(f"{atom_spec.A}content")
        assert content.get("type") == "application/cap+xml"
        (alert,) = list(content)
        cap_spec.check(alert)
        alerts.append(alert)
    return alerts


def test_every_kind_of_area_makes_a_valid_cap_message(client, agency, grid):
    expires = timezone.now() + timedelta(hours=6)
    publish.publish(
        agency,
        publish.beats_area([grid["1A"], grid["2B"]]),
        title="Beats",
        body="Two beats.",
        severity=Severity.URGENT,
        expires_at=expires,
    )
    publish.publish(
        agency,
        publish.radius_area(LAT, LON, 0.5, "Near the park"),
        title="Radius",
        body="Half a mile.",
        severity=Severity.WARNING,
    )
    publish.publish(agency, publish.polygon_area(square(LAT, LON, 0.01)), title="Drawn",
                    body="A block.", severity=Severity.INFO)  # fmt: skip
    alerts = cap_entries(client, "/alerts/bakersfield/cap.atom")
    assert [a.findtext(f"{CAP}info/{CAP}headline") for a in alerts] == ["Drawn", "Radius", "Beats"]
    drawn, radius, two_beats = alerts
    # Two beats that do not touch: one polygon each (CAP areas have no multipolygon).
    assert len(two_beats.findall(f".//{CAP}polygon")) == 2
    assert two_beats.findtext(f"{CAP}info/{CAP}urgency") == "Immediate"
    assert two_beats.findtext(f"{CAP}info/{CAP}severity") == "Severe"
    assert two_beats.findtext(f"{CAP}info/{CAP}expires").endswith(("-07:00", "-08:00"))
    # A radius goes as a circle in kilometres, and as its polygon for readers without circles.
    circle = radius.findtext(f".//{CAP}circle")
    assert circle == f"{LAT:.6f},{LON:.6f} 0.805"
    assert radius.findtext(f".//{CAP}areaDesc") == "Near the park"
    assert "661-327-7111" in drawn.findtext(f"{CAP}info/{CAP}contact")


def test_a_cancelled_alert_goes_out_as_cancel_referencing_the_original(client, agency, grid):
    alert = publish.publish(agency, publish.beats_area([grid["1A"]]), title="Lost child found",
                            body="Resolved.")  # fmt: skip
    (original,) = cap_entries(client, "/alerts/bakersfield/cap.atom")
    publish.cancel(alert)
    (cancel,) = cap_entries(client, "/alerts/bakersfield/cap.atom")
    assert cancel.findtext(f"{CAP}msgType") == "Cancel"
    assert cancel.findtext(f"{CAP}identifier") != original.findtext(f"{CAP}identifier")
    sender, identifier, sent = cancel.findtext(f"{CAP}references").split(",")
    assert (sender, identifier, sent) == (
        original.findtext(f"{CAP}sender"), original.findtext(f"{CAP}identifier"),
        original.findtext(f"{CAP}sent"),
    )  # fmt: skip
    # The plain Atom feed drops it at once.
    assert b"Lost child found" not in client.get("/alerts/bakersfield/feed.atom").content


def test_the_single_message_validates_and_expired_ones_leave_the_feed(client, agency, grid):
    alert = publish.publish(agency, publish.beats_area([grid["1A"]]), title="Short",
                            body="Soon over.", expires_at=timezone.now() + timedelta(minutes=5))  # fmt: skip
    response = client.get(f"/alerts/a/{alert.share_token}/cap.xml")
    assert response["Content-Type"].startswith("application/cap+xml")
    cap_spec.check(SafeET.fromstring(response.content))
    type(alert).objects.filter(pk=alert.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert cap_entries(client, "/alerts/bakersfield/cap.atom") == []


def test_the_beat_feed_has_the_alerts_that_reach_the_beat(client, agency, grid):
    publish.publish(agency, publish.beats_area([grid["1A"]]), title="Aimed at 1A", body=".")
    publish.publish(agency, publish.beats_area([grid["2B"]]), title="Aimed at 2B", body=".")
    # A radius around the middle of 1A reaches into it without naming it.
    publish.publish(agency, publish.radius_area(LAT + STEP / 2, LON + STEP / 2, 0.3), title="Near 1A",
                    body=".")  # fmt: skip
    alerts = cap_entries(client, "/alerts/bakersfield/beats/1A/cap.atom")
    assert {a.findtext(f"{CAP}info/{CAP}headline") for a in alerts} == {"Aimed at 1A", "Near 1A"}
    assert client.get("/alerts/bakersfield/beats/9Z/cap.atom").status_code == 404


def test_the_cap_checker_catches_a_broken_message():
    broken = ET.fromstring(
        f'<alert xmlns="{CAP[1:-1]}"><identifier>a b</identifier><sender>x</sender>'
        "<sent>2026-12-04T10:00:00Z</sent><status>Actual</status><msgType>Alert</msgType>"
        "<scope>Public</scope></alert>"
    )
    try:
        cap_spec.check(broken)
    except AssertionError as exc:
        assert "identifier" in str(exc)
    else:  # pragma: no cover - the point of the test
        raise AssertionError("a message with a space in its identifier passed")
