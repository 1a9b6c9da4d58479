"""The case rules' built-in words: installed once with the agency's case settings, each text at
most two GSM-7 segments with the notice and one without, in English and Spanish, naming the
agency and the case, with realistic values (a long detective's email, a report copy line)."""

import pytest
from django.utils import translation

from porchlight.cases.defaults import DEFAULTS, case_settings, install
from porchlight.notify import gsm, templating, texts
from porchlight.notify.models import Rule

VALUES = {
    "case_number": "C26-004321",
    "incident_number": "26-001234",
    "detective": "Det. Maria Lopez-Hernandez",
    "detective_phone": "661-555-0142",
    "detective_email": "mlopezhernandez@bakersfieldpd.us",
    "case_status": "A detective has been assigned to your case.",
    "report_copy": "Report copy: Records, 1601 Truxtun Ave, fee $15.00",
    "note": "We found property that may be yours. Call me.",
    "code": "482913",
    "copy_status": "Your copy is ready to pick up.",
}


@pytest.mark.django_db
def test_the_case_rules_are_installed_once_with_the_settings(agency):
    before = Rule.objects.filter(agency=agency).count()
    case_settings(agency)
    assert Rule.objects.filter(agency=agency).count() == before + len(DEFAULTS)
    Rule.objects.filter(agency=agency, trigger="case.note").delete()
    case_settings(agency)  # the settings exist: a deleted rule stays deleted
    assert Rule.objects.filter(agency=agency).count() == before + len(DEFAULTS) - 1
    assert install(agency.pk) == 1


@pytest.mark.parametrize("default", DEFAULTS, ids=lambda d: d.trigger)
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.django_db
def test_each_default_text_is_short(agency, default, language):
    subject, body = default.templates[language]
    with translation.override(language):
        values = texts.sample_values(agency) | VALUES
        templating.check(body, subject, default.trigger, values)
        for notice in (values["notice"], ""):
            text = gsm.cheapest(
                templating.render(body, default.trigger, values | {"notice": notice})
            )
            analysis = gsm.analyse(text)
            assert analysis.encoding == "GSM-7", text
            assert analysis.segments <= (2 if notice else 1), text
            assert text.startswith("Bakersfield PD") and "C26-004321" in text
