"""The console import in a real browser: upload → columns → preview → save → run → done.

On a desktop and on a phone, in English and Spanish, with axe on every screen and the CSP on:
the progress bar is fed by console_import.js (no inline script), while the test plays the
worker's import thread.
"""

from pathlib import Path

import pytest

from porchlight.calls.importing import background
from porchlight.calls.models import Call, ConsoleImport, SavedMapping
from standins.browser import (
    DESKTOP,
    PHONE,
    look,
    make_staff,
    open_console_menu,
    staff_login,
    switch_language,
)

SEATTLE = Path(__file__).resolve().parents[1] / "samples" / "seattle-call-data.csv"
VIEWPORTS = pytest.mark.parametrize(
    "viewport", [DESKTOP, PHONE], indirect=True, ids=["desktop", "phone"]
)


@VIEWPORTS
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_import_an_export_from_the_console(page, live_server, agency, viewport, lang):
    login = make_staff(agency, role="admin")
    tag = f"{'phone' if viewport == PHONE else 'desktop'}-{lang}"
    staff_login(page, live_server, login)
    switch_language(page, lang)

    open_console_menu(page)
    page.locator("nav a[href='/console/import/']").click()
    assert page.locator("h1").inner_text() == (
        "Import calls" if lang == "en" else "Importar llamadas"
    )
    look(page, f"import-upload-{tag}")

    # A bad file first: the reason, on the same page, with a 400.
    page.set_input_files(
        "#id_file",
        files=[
            {"name": "calls.xlsx", "mimeType": "application/octet-stream", "buffer": b"PK\x03\x04"}
        ],
    )
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.locator("form.edit button[type=submit]").click()
    assert answer.value.status == 400
    reason = "only CSV" if lang == "en" else "solo se pueden importar archivos CSV"
    assert reason in page.locator("#upload-error").inner_text()
    look(page, f"import-upload-error-{tag}")

    page.set_input_files("#id_file", str(SEATTLE))
    page.locator("form.edit button[type=submit]").click()
    page.wait_for_url("**/console/import/*/")
    # The Seattle preset is recognised from the header.
    assert page.input_value("#col_incident_number") == "CAD Event Number"
    assert page.input_value("#time_received") == "Original Time Queued"
    look(page, f"import-map-{tag}")

    page.locator("button[value=preview]").click()
    page.wait_for_selector("#preview")
    preview = page.locator("#preview").inner_text()
    assert "2023000404101" in preview and "SUSPICIOUS PERSON, VEHICLE OR INCIDENT" in preview
    assert Call.objects.count() == 0
    look(page, f"import-preview-{tag}")

    page.fill("#id_name", "Seattle")
    page.locator("button[value=save]").click()
    page.wait_for_selector(".msg-success")
    assert SavedMapping.objects.get(agency=agency).name == "Seattle"
    look(page, f"import-saved-{tag}")

    page.locator("button[value=run]").click()
    page.wait_for_url("**/progress/")
    assert page.locator("#import-state").inner_text() == ("Queued" if lang == "en" else "En cola")
    look(page, f"import-queued-{tag}")

    background.run_next("browser-test")  # the worker's import thread
    done = "Finished" if lang == "en" else "Terminado"
    page.wait_for_function(
        "text => document.getElementById('import-state').textContent.trim() === text",
        arg=done,
        timeout=10_000,
    )
    assert page.get_attribute("#import-bar", "value") == "6"
    assert ConsoleImport.objects.get().state == ConsoleImport.State.FINISHED
    assert Call.objects.filter(historical=True).count() == 5
    look(page, f"import-done-{tag}")


@VIEWPORTS
@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.django_db(transaction=True)
def test_a_held_import_row_shows_its_csv_row_and_reapplies(
    page, live_server, agency, viewport, lang
):
    import copy

    import orjson

    from porchlight.calls.importing.mapping import Mapping
    from porchlight.calls.importing.run import run_import
    from porchlight.calls.models import Quarantine

    good = orjson.loads((SEATTLE.parent / "seattle-call-data.mapping.json").read_bytes())
    wrong = copy.deepcopy(good)
    wrong["times"] = {"received": "Arrived Time"}
    run = run_import(SEATTLE, agency, mapping=Mapping.from_dict("generic", wrong)).run
    SavedMapping.objects.create(agency=agency, name="Seattle fixed", mapping=good)
    item = Quarantine.objects.get(import_run=run, line=5)
    tag = f"{'phone' if viewport == PHONE else 'desktop'}-{lang}"
    staff_login(page, live_server, make_staff(agency, role="admin"))
    switch_language(page, lang)

    page.goto(f"{live_server.url}/console/quarantine/{item.pk}/")
    row = page.locator("#export-row").inner_text()
    assert "2023000404104" in row and "CAD Event Number" in row
    look(page, f"quarantine-import-row-{tag}")

    page.select_option("#id_reapply", label="Seattle fixed")
    page.locator("#export-row button[type=submit]").click()
    page.wait_for_selector(".msg-success")
    item.refresh_from_db()
    assert item.state == Quarantine.State.REPLAYED
    look(page, f"quarantine-import-row-reapplied-{tag}")
