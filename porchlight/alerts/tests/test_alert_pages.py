"""The public alert page (share links, disclaimers), the agency's alert list, and the PWA."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from porchlight.alerts import publish
from porchlight.alerts.models import Alert, Severity


@pytest.fixture
def alert(agency, grid):
    return publish.publish(agency, publish.beats_area([grid["1A"], grid["1B"]]),
                           title="Water main break on Oak St", body="Avoid Oak St until 6 PM.",
                           severity=Severity.WARNING, pinned=True)  # fmt: skip


def test_the_alert_page_shows_the_alert_badges_share_links_and_numbers(client, alert):
    page = client.get(f"/alerts/a/{alert.share_token}/").content.decode()
    assert "Water main break on Oak St" in page and "Beat 1A, Beat 1B" in page
    assert "Verified" in page and "Pinned" in page
    assert "mailto:?subject=Bakersfield%20Police%20Department%3A%20Water" in page
    assert "sms:?&amp;body=" in page and "facebook.com/sharer" in page
    assert "not 911" in page and 'href="tel:+16613277111"' in page


def test_the_page_in_spanish(client, alert):
    page = client.get(f"/alerts/a/{alert.share_token}/?lang=es").content.decode()
    assert '<html lang="es">' in page and "Compartir" in page and "Verificado" in page


def test_unknown_and_withdrawn_alerts(client, alert):
    assert client.get("/alerts/a/nope/").status_code == 404
    publish.cancel(alert)
    page = client.get(f"/alerts/a/{alert.share_token}/").content.decode()
    assert "This alert was withdrawn." in page


def test_the_list_shows_pinned_first_and_leaves_out_expired(client, agency, grid, alert):
    later = publish.publish(agency, publish.beats_area([grid["2A"]]), title="Later", body=".")
    gone = publish.publish(agency, publish.beats_area([grid["2A"]]), title="Gone", body=".",
                           expires_at=timezone.now() + timedelta(minutes=1))  # fmt: skip
    Alert.objects.filter(pk=gone.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    page = client.get("/alerts/bakersfield/").content.decode()
    assert page.index(alert.title) < page.index(later.title)
    assert "Gone" not in page
    assert 'type="application/atom+xml"' in page


def test_the_manifest_worker_and_offline_page(client, agency):
    manifest = json.loads(client.get("/manifest.webmanifest").content)
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200
    worker = client.get("/sw.js")
    assert worker["Content-Type"].startswith("text/javascript")
    body = worker.content.decode()
    assert '"/offline/"' in body and "__OFFLINE_URL__" not in body and "showNotification" in body
    offline = client.get("/offline/").content.decode()
    assert 'href="tel:911"' in offline and 'href="tel:+16613277111"' in offline
    # Every page links the manifest, so phones offer to install the site.
    assert 'rel="manifest"' in client.get("/").content.decode()
