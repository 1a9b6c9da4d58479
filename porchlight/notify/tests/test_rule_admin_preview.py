"""The template preview: rendered with sample values, SMS encoding, segments, and flags."""

import functools

import pytest

from porchlight.notify.models import Accents, DeliverySettings, Trigger
from porchlight.notify.tests.test_rule_admin import rule_of, sign_in_as
from standins.builders import make_agency

URL = "/admin/notify/rule/preview/"


@pytest.fixture
def signed_in(agency):
    return functools.partial(sign_in_as, agency)


def csrf_client(client):
    """From here on the client must send the CSRF token, like a browser's fetch()."""
    client.get("/admin/notify/rule/")
    client.handler.enforce_csrf_checks = True
    return client, client.cookies["csrftoken"].value


def preview(client, token, **fields):
    fields.setdefault("trigger", Trigger.RECEIVED)
    return client.post(URL, {"csrfmiddlewaretoken": token, **fields})


@pytest.mark.django_db
def test_preview_renders_with_sample_values_in_the_templates_language(agency, signed_in):
    client, token = csrf_client(signed_in())
    rule = rule_of(agency)
    spanish = rule.templates.get(language="es")
    reply = preview(client, token, rule=rule.pk, language="es", body=spanish.body).json()
    assert reply["ok"] and reply["encoding"] == "GSM-7" and reply["flags"] == []
    # The first text of a call, with a production-length link and the notice: one segment.
    assert reply["text"] == (
        "Bakersfield PD tiene su llamada 26-001234: "
        "https://updates.bakersfield-police.gov/t/Xq3kT9vLm2Pw8RzY\n"
        "No vigilado. Emergencias: 911. Responda STOP para salir."
    )
    assert reply["segments"] == 1
    assert reply["summary"].startswith("GSM-7, 1 segment, ")
    assert reply["cost"] == "$7.90 per 1,000 texts, at $0.0079 a segment"


@pytest.mark.django_db
def test_preview_flags_what_forces_ucs2_and_what_replaces_it(agency, signed_in):
    client, token = csrf_client(signed_in())
    reply = preview(client, token, language="en", body="It’s “done” — {{ incident_number }}").json()
    # Normalised as it will be sent: back to GSM-7.
    assert reply["text"] == 'It\'s "done" - 26-001234' and reply["encoding"] == "GSM-7"
    assert reply["written"] == {"encoding": "UCS-2", "segments": 1}
    flags = {f["char"]: f["replacement"] for f in reply["flags"]}
    assert flags == {"’": "'", "“": '"', "”": '"', "—": "-"}
    assert "replaced by ' when sent" in reply["flags"][0]["note"]

    # By default an accent outside GSM-7 is written plain when that saves a segment...
    reply = preview(client, token, language="es", body="¿Qué pasó? " * 10).json()
    assert reply["text"] == ("¿Qué paso? " * 10).strip()
    assert reply["encoding"] == "GSM-7" and reply["segments"] == 1
    assert reply["written"] == {"encoding": "UCS-2", "segments": 2}
    (flag,) = [f for f in reply["flags"] if f["char"] == "ó"]
    assert "written o when sent" in flag["note"]

    # ... and kept when the agency says so, at UCS-2's price.
    DeliverySettings.objects.create(agency=agency, accents=Accents.KEEP, price_per_segment="0.01")
    reply = preview(client, token, language="es", body="¿Qué pasó? " * 10).json()
    assert reply["encoding"] == "UCS-2" and reply["segments"] == 2
    assert reply["cost"] == "$20.00 per 1,000 texts, at $0.01 a segment"
    (flag,) = [f for f in reply["flags"] if f["char"] == "ó"]
    assert flag["replacement"] is None and "no GSM equivalent" in flag["note"]


@pytest.mark.django_db
def test_a_broken_template_is_a_400_with_the_reason(signed_in):
    client, token = csrf_client(signed_in())
    response = preview(client, token, language="es", body="{{ numero }}")
    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "error": 'Unknown field "numero". Fields you can use here: agency, non_emergency_number, '
        "opt_out, notice, incident_number, call_time, call_date, track_url, disposition, report_number.",
        "field": "body",
    }
    assert preview(client, token, body="x", trigger="nope").status_code == 400
    assert preview(client, token, body="x", language="../etc").status_code == 400
    assert preview(client, token, body="x", subject="{{ x }}").json()["field"] == "subject"


@pytest.mark.django_db
def test_preview_is_post_with_csrf_for_those_who_may_edit_rules(agency, signed_in):
    client, token = csrf_client(signed_in())
    assert client.get(URL).status_code == 405
    assert client.post(URL, {"trigger": Trigger.RECEIVED, "body": "x"}).status_code == 403
    # Another agency's rule is not there for this admin.
    other = make_agency(slug="kern", name="Kern County Sheriff", ori="CA0150000")
    assert preview(client, token, body="x", rule=rule_of(other).pk).status_code == 404
    assert preview(client, token, body="x", rule="nope").status_code == 404

    viewer, token = csrf_client(signed_in("val", role="readonly"))
    response = preview(viewer, token, body="x")
    assert response.status_code == 403 and not response.json()["ok"]
