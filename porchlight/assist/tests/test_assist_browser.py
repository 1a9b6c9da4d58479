"""The whole path in a real Chromium at phone width, in English and Spanish, with axe on every
screen: a detective asks, a supervisor approves, the resident's notice arrives (the dev
inbox), the resident shares a photo with consent (a resumable upload), community relations downloads it byte-exact, and
the public log shows the request."""

from __future__ import annotations

import hashlib
import re
from datetime import time, timedelta

import pytest
from django.utils import timezone

from porchlight.assist.models import AssistanceRequest, Share, Status
from porchlight.cases.models import Case
from porchlight.community.tests.factories import make_place, make_resident
from porchlight.notify.channels.dev import DevInbox
from porchlight.notify.models import DeliverySettings, DevMessage
from porchlight.notify.worker import Worker
from standins.browser import PHONE, look, make_staff, resident_login, staff_login, switch_language
from standins.media import jpeg_with_gps

from .conftest import LAT, LON

ON_A_PHONE = pytest.mark.parametrize("viewport", [PHONE], indirect=True, ids=["phone"])
WORDS = {
    "en": {"save": "Save draft", "submit": "Send for approval", "approve": "Approve and send",
           "share": "Share", "agree": "I have read the above and I choose to share",
           "voluntary": "Sharing is voluntary", "download": "Download photo 1",
           "log": "Requests for assistance"},
    "es": {"save": "Guardar borrador", "submit": "Enviar a aprobación",
           "approve": "Aprobar y enviar", "share": "Compartir",
           "agree": "He leído lo anterior y elijo compartir",
           "voluntary": "Compartir es voluntario", "download": "Descargar foto 1",
           "log": "Solicitudes de ayuda"},
}  # fmt: skip


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


@ON_A_PHONE
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_ask_approve_notify_share_download(
    page, live_server, agency, viewport, lang, settings, media_storage, tmp_path
):
    settings.DEV_INBOX = True
    words = WORDS[lang]
    # No quiet hours, so the notice goes now whatever the time the test runs (quiet hours
    # are notify's, tested there).
    DeliverySettings.objects.create(agency=agency, quiet_start=time(0), quiet_end=time(0))
    Case.objects.create(agency=agency, number="C26-000777", source="rms")
    resident = make_resident(agency, "rosa@example.org", first_name="Rosa")
    resident.language = lang
    resident.save(update_fields=["language"])
    make_place(resident, LAT, LON, 0.25)
    detective = make_staff(agency, role="detective", username="dee")
    supervisor = make_staff(agency, role="supervisor", username="sam")
    # Another person downloads: a second sign-in of one user within a TOTP period would
    # reuse its code, which allauth refuses.
    relations = make_staff(agency, role="community", username="cora")

    # 1. The detective asks.
    staff_login(page, live_server, detective, next_path="/console/assist/new/")
    switch_language(page, lang)
    now = timezone.now()
    timezone.activate(agency.tz)
    page.fill("#id_case_number", "C26-000777")
    page.fill("#id_incident_type", "Burglary")
    page.fill("#id_description", "A garage break-in. Footage of the street, 2 to 4 AM.")
    page.fill("#id_lat", str(LAT))
    page.fill("#id_lon", str(LON))
    page.fill("#id_radius_m", "400")
    page.fill("#id_neighborhood", "Downtown")
    page.fill("#id_window_start", local(now - timedelta(hours=10)))
    page.fill("#id_window_end", local(now - timedelta(hours=6)))
    page.fill("#id_expires_days", "7")
    page.fill("#id_contact_name", "Det. Dee Ortiz")
    page.fill("#id_contact_phone", "661-555-0199")
    look(page, f"assist-new-phone-{lang}")
    page.get_by_role("button", name=words["save"]).click()
    page.wait_for_url(re.compile(r"/console/assist/\d+/$"))
    item = AssistanceRequest.objects.get()
    page.get_by_role("button", name=words["submit"]).click()
    page.wait_for_url(re.compile(r"/console/assist/\d+/$"))
    item.refresh_from_db()
    assert item.status == Status.PENDING and not DevMessage.objects.exists()
    look(page, f"assist-pending-phone-{lang}")

    # 2. A supervisor approves: the notice is planned, and the worker sends it.
    page.context.clear_cookies()
    staff_login(page, live_server, supervisor, next_path=f"/console/assist/{item.pk}/")
    switch_language(page, lang)
    page.get_by_role("button", name=words["approve"]).click()
    page.wait_for_url(re.compile(r"/console/assist/\d+/$"))
    item.refresh_from_db()
    assert item.status == Status.SENT and item.residents_notified == 1
    look(page, f"assist-approved-phone-{lang}")
    worker = Worker({"email": DevInbox("email")}, name="w", threads=2)
    worker.run_once()
    worker._pool.shutdown()

    # 3. The notice, in the dev inbox, in the resident's language.
    page.goto(f"{live_server.url}/dev/inbox/")
    notice = DevMessage.objects.get()
    assert words["voluntary"].split()[0] in notice.body
    link = re.search(r"https?://\S+/n/\S+/assist/\d+/", notice.body)
    assert link, notice.body
    assert page.get_by_text("Det. Dee Ortiz").count() >= 1

    # 4. The resident opens it and shares a photo, agreeing to be contacted.
    page.context.clear_cookies()
    resident_login(page, live_server, agency, "rosa@example.org", lang)
    page.goto(f"{live_server.url}/n/{agency.slug}/assist/{item.pk}/")
    assert page.get_attribute("html", "lang") == lang
    assert page.get_by_text(words["voluntary"]).count() >= 1
    look(page, f"assist-share-phone-{lang}")
    photo = tmp_path / "driveway.jpg"
    photo.write_bytes(jpeg_with_gps())
    # The resumable upload (tus, in pieces) while the form is filled in.
    page.set_input_files("#resumable-files", str(photo))
    page.wait_for_function(
        "() => document.querySelector('[data-resumable] input[type=hidden]').value !== ''"
    )
    page.fill("#id_note", "Driveway camera")
    page.check("#id_consent_contact")
    page.get_by_label(words["agree"]).check()
    page.get_by_role("button", name=words["share"], exact=True).click()
    page.wait_for_url(re.compile(r"/assist/\d+/$"))
    made = Share.objects.get()
    assert made.consent_contact and made.contact_email == "rosa@example.org"
    look(page, f"assist-shared-phone-{lang}")

    # 5. Community relations downloads it: the same bytes, and the custody log has it.
    page.context.clear_cookies()
    staff_login(page, live_server, relations, next_path=f"/console/assist/{item.pk}/")
    switch_language(page, lang)
    look(page, f"assist-shares-phone-{lang}")
    with page.expect_download() as got:
        page.get_by_role("link", name=words["download"]).click()
    data = open(got.value.path(), "rb").read()
    media_file = made.files.get().media_file
    assert hashlib.sha256(data).hexdigest() == media_file.original_sha256
    assert hashlib.sha256(data).hexdigest() == hashlib.sha256(photo.read_bytes()).hexdigest()
    assert [e.action for e in media_file.custody.all()] == ["received", "downloaded"]

    # 6. The public log: the request, its coarse area, its counts; nothing exact.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/assist/{agency.slug}/?lang={lang}")
    assert page.get_by_role("heading", name=words["log"]).count() == 1
    body = page.content()
    assert "Downtown" in body and "Burglary" in body and "Rosa" not in body
    assert f"{LAT:.4f}" not in body
    look(page, f"assist-log-phone-{lang}")
    timezone.deactivate()
