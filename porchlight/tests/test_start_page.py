"""The start page at /: in the visitor's language, with the number only when it is unambiguous."""

from __future__ import annotations

from standins.builders import make_agency


def test_english_by_default_with_the_one_agencys_number(client, db):
    agency = make_agency(name="Springfield PD", non_emergency_number="(555) 010-0199")
    r = client.get("/")
    text = r.content.decode()
    assert r.status_code == 200 and '<html lang="en">' in text
    assert "not 911" in text and agency.name in text
    assert 'href="tel:+15550100199"' in text
    assert 'href="/accounts/login/"' in text and 'href="/api/v1/docs"' in text
    assert "porchlight/favicon" in text


def test_spanish_from_the_browser_and_from_the_switch(client, db):
    make_agency()
    r = client.get("/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert '<html lang="es">' in r.content.decode() and "no es el 911" in r.content.decode()
    assert r["Content-Language"] == "es"
    r = client.get("/?lang=en", HTTP_ACCEPT_LANGUAGE="es")
    assert '<html lang="en">' in r.content.decode()


def test_with_several_agencies_no_number_is_guessed(client, db):
    make_agency(
        slug="first", name="First PD", ori="CA0000001", non_emergency_number="(555) 010-0111"
    )
    make_agency(
        slug="second", name="Second PD", ori="CA0000002", non_emergency_number="(555) 010-0222"
    )
    text = client.get("/").content.decode()
    assert "tel:" not in text and "First PD" not in text and "Second PD" not in text
    assert "your police department" in text


def test_with_no_agency_yet_the_page_still_answers(client, db):
    r = client.get("/")
    assert r.status_code == 200 and "tel:" not in r.content.decode()


def test_the_api_docs_page_says_its_language_and_has_the_icon(client, db):
    text = client.get("/api/v1/docs", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es">' in text and "porchlight/favicon" in text


def test_a_post_is_refused(client, db):
    assert client.post("/").status_code == 405
