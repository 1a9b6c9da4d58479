"""Neighborhood Watch in a real Chromium at phone width, in English and Spanish, checked by axe
(with the CSP on): staff make a group from a beat, a resident whose place is in it joins, staff
name them block captain and message the group, and the captain sees the message, the members
and the posts in the area."""

from __future__ import annotations

import pytest

from porchlight.alerts import reach, watch
from porchlight.alerts.models import WatchGroup, WatchMember, WatchMessage, WatchRole
from porchlight.community.tests.factories import make_place, make_post, make_resident
from porchlight.notify.models import Outbox
from standins.browser import PHONE, look, make_staff, resident_login, staff_login, switch_language

from .conftest import LAT, LON, STEP

ON_A_PHONE = pytest.mark.parametrize("viewport", [PHONE], indirect=True, ids=["phone"])


@ON_A_PHONE
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_staff_make_a_group_a_resident_joins_and_the_captain_sees_it(
    page, browser, live_server, agency, grid, viewport, lang
):
    inside = (LAT + STEP / 2, LON + STEP / 2)  # in beat 1A
    rosa = make_resident(agency, "rosa@example.org", first_name="Rosa")
    make_place(rosa, *inside, 0.5, name="Home")
    neighbor = make_resident(agency, "teo@example.org", first_name="Teo")
    make_place(neighbor, *inside, 0.5)
    make_post(neighbor, *inside, title="Gate left open at the park")
    for member in (rosa, neighbor):
        reach.ensure_email(member)  # what saving alert settings does; a message goes by email
    far = make_resident(agency, "far@example.org")
    make_place(far, LAT + 1, LON)

    # Staff: a group whose area is beat 1A.
    login = make_staff(agency, role="admin")
    staff_login(page, live_server, login, next_path="/console/alerts/watch/")
    switch_language(page, lang)
    look(page, f"watch-console-phone-{lang}")
    page.fill("#id_name", "Oleander Watch")
    page.locator("input[name=beats]").first.check()
    page.get_by_role("button", name="Crear" if lang == "es" else "Create").click()
    page.wait_for_url("**/console/alerts/watch/*/")
    group = WatchGroup.objects.get()
    assert group.name == "Oleander Watch"
    look(page, f"watch-console-group-empty-phone-{lang}")

    # A resident with a place in the area joins from their own page (on their own phone: a
    # second browser context, so the staff page above stays signed in).
    phone = browser.new_context(viewport=viewport)
    phone.set_default_timeout(10_000)
    mine = phone.new_page()
    resident_login(mine, live_server, agency, "rosa@example.org", lang)
    mine.goto(f"{live_server.url}/me/watch/")
    assert mine.get_attribute("html", "lang") == lang
    assert mine.locator("main h2", has_text="Oleander Watch").count() == 1
    look(mine, f"watch-resident-groups-phone-{lang}")
    mine.get_by_role(
        "button", name=("Unirse" if lang == "es" else "Join") + " Oleander Watch"
    ).click()
    mine.wait_for_url("**/me/watch/")
    assert WatchMember.objects.filter(group=group, resident=rosa).exists()
    # Teo, also inside, joins too (recorded directly: the join itself is shown above).
    WatchMember.objects.create(group=group, resident=neighbor)
    # Someone whose places are all elsewhere is not offered the group.
    assert group not in watch.eligible(far)

    # Staff name Rosa block captain and message the group.
    page.goto(f"{live_server.url}/console/alerts/watch/{group.pk}/")
    page.get_by_role(
        "button",
        name=("Hacer capitán de cuadra" if lang == "es" else "Make block captain") + " Rosa",
    ).click()
    page.wait_for_url(f"**/console/alerts/watch/{group.pk}/")
    assert WatchMember.objects.get(group=group, resident=rosa).role == WatchRole.CAPTAIN
    page.fill("#id_title", "Meeting on Tuesday")
    page.fill("#id_body", "Block meeting at the library, 7 PM.")
    page.get_by_role("button", name="Enviar" if lang == "es" else "Send").click()
    page.wait_for_url(f"**/console/alerts/watch/{group.pk}/")
    note = WatchMessage.objects.get()
    assert note.recipients == 2
    assert Outbox.objects.filter(dedupe_key__contains=f"watch:{note.pk}").count() == 2
    look(page, f"watch-console-group-phone-{lang}")

    # The captain sees the message, the members by display name, and the posts in the area.
    mine.goto(f"{live_server.url}/me/watch/")
    mine.locator("main h2 a", has_text="Oleander Watch").click()
    mine.wait_for_url(f"**/me/watch/{group.pk}/")
    main = mine.locator("main").inner_text()
    assert "Meeting on Tuesday" in main
    assert "Teo" in main and "teo@example.org" not in main
    assert "Gate left open at the park" in main
    look(mine, f"watch-captain-group-phone-{lang}")
    phone.close()
