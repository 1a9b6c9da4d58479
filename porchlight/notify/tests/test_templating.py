"""Templates render in a sandbox over plain string fields, and bad ones are refused."""

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from porchlight.notify import templating
from porchlight.notify.models import Trigger
from porchlight.notify.templating import TemplateProblem, check, render

VALUES = {
    "agency": "Bakersfield Police Department",
    "incident_number": "26-000001",
    "call_time": "2:14 PM",
    "track_url": "https://pl.example/t/abc",
    "disposition": "",
    "report_number": "",
    "opt_out": "Reply STOP to opt out.",
    "non_emergency_number": "661-327-7111",
}


def test_fields_conditions_and_filters_render():
    text = render(
        "{{ agency|upper }}: call {{ incident_number }}."
        "{% if report_number %} Report {{ report_number }}.{% else %} No report yet.{% endif %}"
        " {{ disposition|default('Done.', true) }} {{ 'Track ' ~ track_url if track_url }}",
        Trigger.CLEARED,
        VALUES,
    )
    assert text == (
        "BAKERSFIELD POLICE DEPARTMENT: call 26-000001. No report yet. Done. "
        "Track https://pl.example/t/abc"
    )


def test_empty_fields_leave_no_stray_spaces():
    text = render(
        "Finished. {{ disposition }} Questions: {{ non_emergency_number }}.   \n{{ opt_out }}",
        Trigger.CLEARED,
        {**VALUES, "opt_out": ""},
    )
    assert text == "Finished. Questions: 661-327-7111."


@pytest.mark.parametrize(
    "source, words",
    [
        ("{{ incident_numbr }}", 'Unknown field "incident_numbr"'),
        ("{% for x in agency %}{{ x }}{% endfor %}", "{% for %} is not allowed"),
        ("{{ agency.__class__ }}", "a dot after a field is not allowed"),
        ("{{ agency.upper() }}", "not allowed"),
        ("{{ agency[0] }}", "not allowed"),
        ("{{ 9 ** 9 ** 9 }}", "arithmetic"),
        ("{{ agency * 1000000 }}", "arithmetic"),
        ("{% set agency = 'x' %}{{ agency }}", "{% set %} is not allowed"),
        ("{% include 'base.html' %}", "{% include %} is not allowed"),
        ("{{ agency|center(999999) }}", 'Unknown filter "center"'),
        ("{{ agency|attr('x') }}", 'Unknown filter "attr"'),
        ("{{ lipsum() }}", "not allowed"),
        ("{{ range(10) }}", "not allowed"),
        ("Hello {{ agency", "Line 1"),
        ("{% if agency %}no end", "Line 1"),
        ("{{ survey_url }}", 'Unknown field "survey_url"'),  # not a call update's field
    ],
)
def test_refused_templates_say_why(source, words):
    with pytest.raises(TemplateProblem) as exc:
        check(source, "", Trigger.RECEIVED, VALUES)
    assert words in str(exc.value)


def test_a_survey_template_has_its_own_fields():
    values = {**VALUES, "survey_url": "https://pl.example/s/1"}
    assert check("Tell us: {{ survey_url }}", "", Trigger.SURVEY, values)[0] == (
        "Tell us: https://pl.example/s/1"
    )
    with pytest.raises(TemplateProblem, match='Unknown field "incident_numbr"'):
        check("{{ incident_numbr }}", "", Trigger.SURVEY, values)


def test_empty_and_too_long_are_refused():
    with pytest.raises(TemplateProblem, match="empty"):
        check("   ", "", Trigger.RECEIVED, VALUES)
    with pytest.raises(TemplateProblem, match="empty"):
        check("{% if report_number %}x{% endif %}", "", Trigger.RECEIVED, VALUES)
    with pytest.raises(TemplateProblem, match="1601 characters"):
        check("x" * 1601, "", Trigger.RECEIVED, VALUES)
    assert check("x" * 1600, "", Trigger.RECEIVED, VALUES)[0] == "x" * 1600


def test_subject_problems_name_the_subject():
    with pytest.raises(TemplateProblem) as exc:
        check("ok", "{{ nope }}", Trigger.RECEIVED, VALUES)
    assert exc.value.field == "subject"
    with pytest.raises(TemplateProblem) as exc:
        check("ok", "x" * 201, Trigger.RECEIVED, VALUES)
    assert exc.value.field == "subject"
    assert check("ok", "{{ agency }}: {{ incident_number }}", Trigger.RECEIVED, VALUES) == (
        "ok",
        "Bakersfield Police Department: 26-000001",
    )


def test_only_the_triggers_fields_reach_the_sandbox():
    # A value the caller passed that is not a field of the trigger is not there to render.
    with pytest.raises(TemplateProblem):
        render("{{ address }}", Trigger.RECEIVED, {**VALUES, "address": "1 Main St"})


PLAIN = st.text(
    alphabet=string.ascii_letters + string.digits + " .,:;!?'\n-áé€", min_size=1, max_size=300
)


@given(PLAIN)
def test_text_without_template_syntax_renders_as_itself_tidied(text):
    assert render(text, Trigger.RECEIVED, VALUES) == templating.tidy(text)
