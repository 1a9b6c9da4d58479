"""Alerts in a real Chromium at phone width, in English and Spanish, checked by axe (with the
CSP on): a resident sets alert preferences and turns on notifications for the phone, staff
publish an alert, and the public alert page."""

from __future__ import annotations

import pytest

from porchlight.alerts import fanout, publish
from porchlight.alerts.models import Alert, Mode, Preference, ResidentContact, Severity
from porchlight.community.tests.factories import make_place, make_resident
from porchlight.notify.channels import push
from porchlight.notify.worker import Worker
from standins.browser import PHONE, look, make_staff, resident_login, staff_login, switch_language
from standins.builders import shut
from standins.push_local import LocalBrowser, serve_push

from .conftest import LAT, LON, STEP

ON_A_PHONE = pytest.mark.parametrize("viewport", [PHONE], indirect=True, ids=["phone"])


def fake_push_service(page, subscription):
    """The browser's push service is the local one: PushManager.subscribe answers with a
    subscription whose endpoint and keys are the local push server's subscriber."""
    page.add_init_script(
        "(() => { const sub = " + __import__("json").dumps(subscription) + ";"
        "PushManager.prototype.subscribe = async function () {"
        " return { endpoint: sub.endpoint, toJSON: () => sub }; }; })();"
    )


@ON_A_PHONE
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_a_resident_sets_alert_preferences_and_gets_a_push(
    page, live_server, agency, grid, viewport, lang, settings
):
    settings.VAPID_PRIVATE_KEY = push.new_private_key()
    settings.PUSH_ALLOW_HTTP = True
    browser = LocalBrowser()
    server = serve_push({"phone": browser})
    try:
        resident = make_resident(agency, "rosa@example.org")
        home = make_place(resident, LAT + STEP / 2, LON + STEP / 2, 0.5, name="Home")
        work = make_place(resident, LAT + 1, LON, 1.0, name="Work")
        fake_push_service(page, browser.subscription(server, "phone"))
        page.context.grant_permissions(["notifications"], origin=live_server.url)

        resident_login(page, live_server, agency, "rosa@example.org", lang)
        # From the community pages' own navigation, as a resident finds it.
        page.get_by_role("link", name="Avisos" if lang == "es" else "Alerts").first.click()
        page.wait_for_url("**/me/alerts/")
        assert page.get_attribute("html", "lang") == lang
        look(page, f"alerts-settings-phone-{lang}")

        page.check(f"#id_p{home.pk}-mode_0")  # as it happens
        page.check(f"#id_p{work.pk}-sms")
        page.fill("#id_phone-phone", "661-555-0147")
        page.get_by_role("button", name="Guardar" if lang == "es" else "Save").click()
        page.wait_for_url("**/me/alerts/")
        assert Preference.objects.get(place=home).mode == Mode.INSTANT
        assert Preference.objects.get(place=work).sms
        look(page, f"alerts-settings-saved-phone-{lang}")

        page.locator("[data-push-subscribe]").click()
        done = "Este dispositivo recibirá" if lang == "es" else "This device will get"
        page.locator("#push-status").get_by_text(done).wait_for()
        assert ResidentContact.objects.filter(resident=resident, channel="push").count() == 1
        look(page, f"alerts-push-on-phone-{lang}")

        alert = publish.publish(agency, publish.beats_area([grid["1A"]]), title="Shelter in place",
                                body="Police activity on Oak St.", severity=Severity.URGENT)  # fmt: skip
        fanout.fan_out(alert)
        worker = Worker({"push": push.WebPush()}, name="w", threads=2)
        worker.run_once()
        worker._pool.shutdown()
        (got,) = server.received
        assert "Shelter in place" in got.payload["title"]
    finally:
        shut(server)


@ON_A_PHONE
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_staff_publish_an_alert_and_open_its_page(page, live_server, agency, grid, viewport, lang):
    login = make_staff(agency, role="admin")
    staff_login(page, live_server, login, next_path="/console/alerts/")
    switch_language(page, lang)
    look(page, f"alerts-console-phone-{lang}")
    page.fill("#id_title", "Road closed: Main St")
    page.fill("#id_body", "Main St is closed between 1st and 4th until 6 PM.")
    page.select_option("#id_severity", "warning")
    page.check("#id_target_2")  # beats
    page.locator("input[name=beats]").first.check()
    page.select_option("#id_expires", "6")
    page.get_by_role("button", name="Publicar" if lang == "es" else "Publish").click()
    page.wait_for_url("**/console/alerts/")
    alert = Alert.objects.get()
    assert alert.title == "Road closed: Main St" and alert.target == "beats"
    look(page, f"alerts-console-published-phone-{lang}")

    page.goto(f"{live_server.url}/alerts/a/{alert.share_token}/?lang={lang}")
    assert page.get_attribute("html", "lang") == lang
    assert page.locator("h2", has_text="Road closed: Main St").count() == 1
    assert page.locator("a[href^='tel:']").count() >= 1
    # Each way to share is a target a thumb can hit (WCAG 2.5.8: 24 by 24 px at least; the
    # bare "X" link was 11 px wide), and the link to copy shows as much of itself as fits.
    for target in page.locator(".share a").all():
        box = target.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24, (target.inner_text(), box)
    section = page.locator("section[aria-labelledby=share-h]").bounding_box()
    assert page.locator("#share-link").bounding_box()["width"] >= section["width"] - 1
    look(page, f"alerts-page-phone-{lang}")

    page.goto(f"{live_server.url}/offline/?lang={lang}")
    assert page.locator("a[href='tel:911']").count() == 1
    look(page, f"alerts-offline-phone-{lang}")
