"""The online report form: the reporter fills it in and gets a case number; bad input is
answered with the field's reason and a 400, never a 500."""

from __future__ import annotations

import re

import pytest

from porchlight.cases.models import Victim
from porchlight.media.models import MediaFile
from porchlight.notify.models import Outbox
from porchlight.reports.models import Report
from standins.media import jpeg_with_gps, upload

FORM = "/report/bakersfield/vehicle-burglary/"


def filled(**extra):
    data = {
        "description": "They broke the passenger window and took my bag.",
        "occurred_at": "2026-11-30T22:00",
        "address": "1600 Truxtun Avenue",
        "lat": "",
        "lon": "",
        "phone": "(661) 555-0199",
        "email": "",
        "language": "es",
        "q-entry": "window",
        "q-plate": "8ABC123",
        "q-value": "250",
    }
    data.update(extra)
    return data


def test_the_category_list_links_each_form(client, categories) -> None:
    page = client.get("/report/bakersfield/?lang=es").content.decode()
    assert "Robo en vehículo" in page and "911" in page
    assert 'href="/report/bakersfield/vehicle-burglary/?lang=es"' in page


def test_a_filled_form_files_the_report_and_shows_the_case_number(
    client, categories, address
) -> None:
    form = client.get(FORM)
    assert form.status_code == 200
    page = form.content.decode()
    assert "not for emergencies" in page and "How did they get in?" in page
    response = client.post(FORM, filled())
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == "/report/bakersfield/filed/?lang=en"
    report = Report.objects.get()
    assert report.answers == {"entry": "window", "plate": "8ABC123", "value": "250"}
    assert report.address == "1600 Truxtun Ave"  # the address table's own words
    assert report.lat == pytest.approx(address.lat)
    assert report.case.occurred_at is not None
    assert Victim.objects.get(case=report.case).language == "es"
    assert Outbox.objects.filter(channel="sms").count() == 1

    done = client.get(response["Location"]).content.decode()
    assert report.case.number in done
    # A reload shows the same page and files nothing more.
    assert report.case.number in client.get(response["Location"]).content.decode()
    assert Report.objects.count() == 1
    # Another visitor (no session) learns nothing from the address.
    other = client.__class__()
    assert other.get("/report/bakersfield/filed/").status_code == 404


def test_a_pin_instead_of_an_address(client, categories) -> None:
    response = client.post(FORM, filled(address="", lat="35.3801", lon="-119.0213"))
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.lat, report.lon, report.address) == (35.3801, -119.0213, "")
    assert report.h3


def test_photos_are_kept_stripped(client, categories, address, media_storage) -> None:
    data = filled()
    data["photos"] = [upload("IMG_1.jpg", jpeg_with_gps()), upload("IMG_2.jpg", jpeg_with_gps())]
    assert client.post(FORM, data).status_code == 302
    assert Report.objects.get().photos.count() == 2 == MediaFile.objects.count()


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"address": "99999 Nowhere Rd"}, "address", "We could not find that address"),
        ({"address": ""}, "address", "Tell us where it happened"),
        ({"phone": "", "email": ""}, "phone", "Give a mobile phone or an email"),
        ({"phone": "12"}, "phone", "Enter a mobile number with its area code"),
        ({"email": "pat@"}, "email", "Enter a valid email address."),
        ({"description": ""}, "description", "This field is required."),
        ({"occurred_at": "2099-01-01T10:00"}, "occurred_at", "This time is in the future."),
        ({"q-entry": "teleport"}, "q-entry", "Select a valid choice."),
        ({"q-plate": ""}, "q-plate", "This field is required."),
        ({"q-value": "-5"}, "q-value", "greater than or equal to 0"),
        ({"q-value": "lots"}, "q-value", "Enter a number."),
        ({"lat": "91", "lon": "0", "address": ""}, "lat", "less than or equal to 90"),
    ],
)
def test_bad_input_is_refused_with_its_reason(
    client, categories, address, change, field, reason
) -> None:
    response = client.post(FORM, filled(**change))
    assert response.status_code == 400
    page = response.content.decode()
    assert reason in page, field
    assert "Please check the fields marked below." in page
    assert not Report.objects.exists()


def test_a_refused_photo_says_why(client, categories, address, media_storage) -> None:
    data = filled()
    data["photos"] = [upload("evil.jpg", b"%PDF-1.4 not a photo", "image/jpeg")]
    response = client.post(FORM, data)
    assert response.status_code == 400
    assert not Report.objects.exists()


def test_spanish_form(client, categories) -> None:
    page = client.get(FORM + "?lang=es").content.decode()
    assert '<html lang="es">' in page
    assert "no es para emergencias" in page and "¿Cómo entraron?" in page
    assert "Enviar" in page


def test_unknown_agency_or_category_is_404(client, categories) -> None:
    assert client.get("/report/gotham/").status_code == 404
    assert client.get("/report/bakersfield/graffiti/").status_code == 404
    categories[0].active = False
    categories[0].save()
    assert client.get("/report/bakersfield/theft/").status_code == 404
    assert client.put(FORM).status_code == 405


def test_filing_is_rate_limited_per_ip(client, categories, address, settings) -> None:
    settings.REPORTS_RATE_LIMIT = "2/h"
    for _ in range(2):
        assert client.post(FORM, filled()).status_code == 302
    response = client.post(FORM, filled())
    assert response.status_code == 429
    assert "Too many reports" in response.content.decode()
    assert Report.objects.count() == 2
    # Reading the form is not limited.
    assert client.get(FORM).status_code == 200
    numbers = [r.case.number for r in Report.objects.all()]
    assert all(re.fullmatch(r"C\d{2}-\d{6}", n) for n in numbers)


def test_the_start_page_leads_to_the_form(client, categories, other_agency) -> None:
    start = client.get("/").content.decode()
    assert 'href="/report/"' in start
    # Two agencies, one taking reports online: straight to its categories.
    response = client.get("/report/?lang=es")
    assert response.status_code == 302
    assert response["Location"] == "/report/bakersfield/?lang=es"
    from porchlight.reports.demo import seed_categories

    seed_categories(other_agency)
    page = client.get("/report/").content.decode()
    assert 'href="/report/kern/?lang=en"' in page and 'href="/report/bakersfield/?lang=en"' in page
