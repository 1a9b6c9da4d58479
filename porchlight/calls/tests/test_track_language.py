"""The page speaks the caller's language, and a plain link switches it (no cookie needed)."""

from __future__ import annotations

import pytest

from porchlight.calls.tests.track_calls import PHONE, apply, path_of, received, whole_call
from porchlight.calls.track import link_for


def page_of(client, call, query=""):
    r = client.get(path_of(link_for(call)) + query)
    assert r.status_code == 200
    return r


def test_a_spanish_speaking_caller_reads_spanish(client, agency):
    call = whole_call(agency, caller={"phone": PHONE, "language": "es"})
    r = page_of(client, call)
    html = r.content.decode()
    assert '<html lang="es">' in html and r["Content-Language"] == "es"
    assert "Esta página no está vigilada. En una emergencia, llame al 911." in html
    assert "22 de noviembre de 2026, 14:14 PST" in html
    assert "Agente asignado" in html


def test_a_regional_variant_uses_the_base_language(client, agency):
    call = apply(agency, received(caller={"phone": PHONE, "language": "es-MX"}))
    assert '<html lang="es">' in page_of(client, call).content.decode()


def test_lang_in_the_link_switches_and_keeps_the_token_working(client, agency):
    call = whole_call(agency, caller={"phone": PHONE, "language": "es"})
    html = page_of(client, call, "?lang=en").content.decode()
    assert '<html lang="en">' in html and "Officer assigned" in html
    # The switch is plain links that keep the token (a relative query), in both directions.
    assert 'href="?lang=es"' in html and 'href="?lang=en"' in html
    assert client.cookies == {} or "sessionid" not in client.cookies


@pytest.mark.parametrize("caller_language", ["", "fr", "zz"])
def test_otherwise_the_agency_default(client, agency, caller_language):
    agency.languages = ["es", "en"]
    agency.save()
    call = apply(agency, received(caller={"phone": PHONE, "language": caller_language}))
    assert '<html lang="es">' in page_of(client, call).content.decode()


def test_an_unknown_lang_parameter_is_ignored(client, agency):
    call = apply(agency, received(caller={"phone": PHONE, "language": "es"}))
    assert '<html lang="es">' in page_of(client, call, "?lang=xx").content.decode()


def test_the_404_never_uses_the_callers_language(client, agency):
    # A Spanish caller's revoked link answers in the browser's language, like any unknown token:
    # answering in Spanish would tell a guesser the token once belonged to a call.
    call = apply(agency, received(caller={"phone": PHONE, "language": "es"}))
    path = path_of(link_for(call))
    type(call).objects.filter(pk=call.pk).update(juvenile=True)
    r = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 404 and '<html lang="en">' in r.content.decode()
    r = client.get(path + "?lang=es")
    assert (
        r.status_code == 404
        and "Este enlace de seguimiento no está disponible" in r.content.decode()
    )
