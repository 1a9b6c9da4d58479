"""Rules and templates in the agency-scoped admin: saving, refusing broken templates, audit."""

import functools

import pytest
from django.test import Client

from porchlight.agencies.models import Agency
from porchlight.agencies.tests.conftest import make_user, sign_in
from porchlight.audit.models import AuditEntry
from porchlight.notify.models import Rule, Template, Trigger
from standins.builders import make_agency


def sign_in_as(agency, username="ada", role="admin", of=None, superuser=False):
    """A test client signed in (password and TOTP) as staff of `agency`, or as a superuser."""
    member_of = None if superuser else (of or agency)
    _, secret = make_user(username, agency=member_of, role=role, superuser=superuser)
    client = Client()
    assert sign_in(client, username, secret).status_code == 302
    return client


@pytest.fixture
def signed_in(agency):
    return functools.partial(sign_in_as, agency)


def rule_of(agency, trigger=Trigger.RECEIVED):
    return Rule.objects.get(agency=agency, trigger=trigger)


def form_data(rule, templates=None, **changes):
    """The change form as the browser would post it, with the rule's templates inline."""
    data = {
        "agency": rule.agency_id,
        "name": rule.name,
        "trigger": rule.trigger,
        "position": rule.position,
        "valid_minutes": rule.valid_minutes,
        "call_types_in": ", ".join(rule.call_types_in),
        "call_types_out": ", ".join(rule.call_types_out),
        "priority_codes": ", ".join(rule.priority_codes),
        "sources": ", ".join(rule.sources),
    }
    for flag in ("enabled", "sms", "email", "push"):
        if getattr(rule, flag):
            data[flag] = "on"
    rows = templates if templates is not None else list(rule.templates.order_by("id"))
    data.update(
        {
            "templates-TOTAL_FORMS": len(rows),
            "templates-INITIAL_FORMS": sum(1 for t in rows if t.pk),
            "templates-MIN_NUM_FORMS": 0,
            "templates-MAX_NUM_FORMS": 1000,
        }
    )
    for i, t in enumerate(rows):
        data.update(
            {
                f"templates-{i}-id": t.pk or "",
                f"templates-{i}-rule": rule.pk or "",
                f"templates-{i}-language": t.language,
                f"templates-{i}-subject": t.subject,
                f"templates-{i}-body": t.body,
            }
        )
    data.update(changes)
    return data


def spanish_index(rule):
    return [t.language for t in rule.templates.order_by("id")].index("es")


@pytest.mark.django_db
def test_an_admin_edits_a_spanish_template_and_it_is_audited(agency, signed_in):
    client = signed_in()
    rule = rule_of(agency)
    i = spanish_index(rule)
    body = "{{ agency }}: su llamada {{ incident_number }} está registrada. {{ opt_out }}"
    response = client.post(
        f"/admin/notify/rule/{rule.pk}/change/",
        form_data(rule, **{f"templates-{i}-body": body, "enabled": "on"}),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Template.objects.get(rule=rule, language="es").body == body
    (entry,) = AuditEntry.objects.filter(action="admin.change", target_id=str(rule.pk))
    assert entry.changes == {"fields": ["template[es].body"]} and entry.agency_id == agency.pk


@pytest.mark.parametrize(
    "body, reason",
    [
        ("Call {{ incident_numbr }}", "Unknown field &quot;incident_numbr&quot;"),
        ("Call {{ incident_number", "Line 1"),
        ("{% for c in agency %}{{ c }}{% endfor %}", "{% for %} is not allowed"),
        ("{{ agency.__class__.__mro__ }}", "a dot after a field is not allowed"),
        ("{% if agency == 'x' %}Report{% endif %}", "With sample values the text is empty."),
        ("x" * 1700, "one message carries at most 1600"),
    ],
)
@pytest.mark.django_db
def test_a_broken_template_is_refused_with_the_reason(agency, signed_in, body, reason):
    client = signed_in()
    rule = rule_of(agency)
    before = Template.objects.get(rule=rule, language="es").body
    response = client.post(
        f"/admin/notify/rule/{rule.pk}/change/",
        form_data(rule, **{f"templates-{spanish_index(rule)}-body": body}),
    )
    page = response.content.decode()
    assert response.status_code == 200 and reason in page
    assert Template.objects.get(rule=rule, language="es").body == before
    assert not AuditEntry.objects.filter(action="admin.change").exists()


@pytest.mark.django_db
def test_a_broken_subject_is_refused_on_the_subject(agency, signed_in):
    client = signed_in()
    rule = rule_of(agency)
    i = spanish_index(rule)
    response = client.post(
        f"/admin/notify/rule/{rule.pk}/change/",
        form_data(rule, **{f"templates-{i}-subject": "{{ nombre }}"}),
    )
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert "nombre" in str(formset.forms[i].errors["subject"])


@pytest.mark.django_db
def test_a_rule_trigger_change_rechecks_its_templates(agency, signed_in):
    # The received text uses call fields; as a survey rule it would not render.
    client = signed_in()
    rule = rule_of(agency)
    response = client.post(
        f"/admin/notify/rule/{rule.pk}/change/", form_data(rule, trigger=Trigger.SURVEY)
    )
    assert response.status_code == 200 and "Unknown field" in response.content.decode()
    assert rule_of(agency).trigger == Trigger.RECEIVED


@pytest.mark.django_db
def test_conditions_take_codes_and_refuse_unknown_ones(agency, signed_in):
    client = signed_in()
    rule = rule_of(agency)
    url = f"/admin/notify/rule/{rule.pk}/change/"
    response = client.post(url, form_data(rule, call_types_in="459R, 415 X99"))
    assert response.status_code == 200 and "Unknown call type code(s): X99." in (
        response.content.decode()
    )
    response = client.post(url, form_data(rule, call_types_in="459r, 415", priority_codes="1 2"))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.call_types_in == ["459r", "415"] and rule.priority_codes == ["1", "2"]


@pytest.mark.django_db
def test_a_new_rule_needs_a_template(agency, signed_in):
    client = signed_in()
    new = Rule(agency=agency, name="Case updates", trigger=Trigger.CASE_STATUS)
    response = client.post("/admin/notify/rule/add/", form_data(new, templates=[]))
    assert response.status_code == 200
    assert "A rule needs a template in at least one language." in response.content.decode()
    template = Template(
        language="EN", body="{{ agency }}: case {{ case_number }}: {{ case_status }}"
    )
    response = client.post("/admin/notify/rule/add/", form_data(new, templates=[template]))
    assert response.status_code == 302
    made = Rule.objects.get(agency=agency, trigger=Trigger.CASE_STATUS)
    assert made.templates.get().language == "en"
    (entry,) = AuditEntry.objects.filter(action="admin.add", target_id=str(made.pk))
    assert "template[en]:added" in entry.changes["fields"]


@pytest.mark.django_db
def test_rules_are_scoped_and_only_admins_change_them(agency, signed_in):
    other = make_agency(slug="kern", name="Kern County Sheriff", ori="CA0150000")
    theirs = rule_of(other)
    client = signed_in()
    page = client.get("/admin/notify/rule/").content.decode()
    assert page.count("/admin/notify/rule/") and f"/admin/notify/rule/{theirs.pk}/" not in page
    assert client.get(f"/admin/notify/rule/{theirs.pk}/change/").status_code == 302  # not found
    assert client.post(
        f"/admin/notify/rule/{theirs.pk}/change/", form_data(theirs)
    ).status_code in (
        302,
        403,
        404,
    )
    assert rule_of(other).name == theirs.name

    supervisor = signed_in("sue", role="supervisor")
    rule = rule_of(agency)
    assert supervisor.get(f"/admin/notify/rule/{rule.pk}/change/").status_code == 200
    response = supervisor.post(
        f"/admin/notify/rule/{rule.pk}/change/", form_data(rule, name="Changed")
    )
    assert response.status_code == 403 and rule_of(agency).name == rule.name


@pytest.mark.django_db
def test_a_new_agency_gets_the_default_rules(signed_in):
    root = signed_in("root", superuser=True)
    response = root.post(
        "/admin/agencies/agency/add/",
        {
            "name": "Delano Police Department",
            "slug": "delano",
            "ori": "CA0150400",
            "time_zone": "America/Los_Angeles",
            "non_emergency_number": "661-721-3377",
            "languages": '["en", "es"]',
            "created_0": "2026-11-22",
            "created_1": "14:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    delano = Agency.objects.get(slug="delano")
    assert Rule.objects.filter(agency=delano).count() == 7
    assert Template.objects.filter(rule__agency=delano).count() == 14
