"""Admins configure their own agency's categories and questions, audited; others only look."""

from __future__ import annotations

from porchlight.agencies.models import Role
from porchlight.audit.models import AuditEntry
from porchlight.reports.demo import seed_categories
from porchlight.reports.models import Category, Question

ADD = "/admin/reports/category/add/"


def form(agency, **extra):
    data = {
        "agency": agency.pk,
        "code": "graffiti",
        "name": '{"en": "Graffiti", "es": "Grafiti"}',
        "description": "{}",
        "notice": "{}",
        "active": "on",
        "order": "9",
        "offense_code": "290",
        "offense": "Vandalism",
        "description_required": "on",
        "address_required": "on",
        "contact_required": "on",
        "photos_allowed": "on",
        "group": "",
        "keywords": "",
        "questions-TOTAL_FORMS": "1",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
        "questions-0-code": "surface",
        "questions-0-prompt": '{"en": "Painted on what?", "es": "¿Pintado sobre qué?"}',
        "questions-0-kind": "singlevaluelist",
        "questions-0-required": "on",
        "questions-0-choices": '[{"key": "wall", "name": {"en": "A wall", "es": "Una pared"}}]',
        "questions-0-order": "0",
    }
    data.update(extra)
    return data


def test_an_admin_adds_a_category_with_a_question_and_it_is_audited(agency, signed_in) -> None:
    client = signed_in("ada", Role.ADMIN)
    response = client.post(ADD, form(agency))
    assert response.status_code == 302, response.context and response.context["errors"]
    category = Category.objects.get(code="graffiti")
    assert category.agency == agency
    question = Question.objects.get(category=category)
    assert question.choices_in("es") == [("wall", "Una pared")]
    actions = set(AuditEntry.objects.filter(agency=agency).values_list("action", "target_type"))
    assert ("admin.add", "reports.category") in actions
    assert ("admin.add", "reports.question") in actions


def test_a_bad_question_is_refused_with_its_reason(agency, signed_in) -> None:
    client = signed_in("ada", Role.ADMIN)
    response = client.post(ADD, form(agency, **{"questions-0-choices": "[]"}))
    assert response.status_code == 200
    assert "A choice question needs its choices." in response.content.decode()
    assert not Category.objects.filter(code="graffiti").exists()


def test_staff_see_only_their_agencys_categories(agency, other_agency, signed_in) -> None:
    seed_categories(agency)
    theirs = seed_categories(other_agency)
    client = signed_in("ada", Role.ADMIN)
    listed = client.get("/admin/reports/category/").context["cl"].queryset
    assert {c.agency_id for c in listed} == {agency.pk}
    response = client.get(f"/admin/reports/category/{theirs[0].pk}/change/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    # Another agency cannot be chosen, even by a tampered form.
    response = client.post(ADD, form(other_agency))
    assert response.status_code == 200
    assert not Category.objects.filter(code="graffiti").exists()


def test_a_supervisor_may_look_but_not_change(agency, signed_in) -> None:
    category = seed_categories(agency)[0]
    client = signed_in("dee", Role.SUPERVISOR)
    assert client.get("/admin/reports/category/").status_code == 200
    assert client.post(ADD, form(agency)).status_code == 403
    change = f"/admin/reports/category/{category.pk}/change/"
    client.post(change, form(agency, code="renamed"))
    category.refresh_from_db()
    assert category.code == "theft"


def test_staff_read_their_agencys_reports_and_each_read_is_audited(
    agency, other_agency, signed_in
) -> None:
    from porchlight.reports.demo import REPORTS, seed
    from porchlight.reports.models import Report

    seed(agency)
    seed(other_agency)
    client = signed_in("dee", Role.SUPERVISOR)
    listed = client.get("/admin/reports/report/").context["cl"].queryset
    assert {r.agency_id for r in listed} == {agency.pk} and len(listed) == len(REPORTS)
    report = Report.objects.filter(agency=agency).first()
    page = client.get(f"/admin/reports/report/{report.pk}/change/")
    assert page.status_code == 200
    assert report.description in page.content.decode()
    assert AuditEntry.objects.filter(action="report.viewed", target_id=str(report.pk)).count() == 1
    theirs = Report.objects.filter(agency=other_agency).first()
    response = client.get(f"/admin/reports/report/{theirs.pk}/change/")
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(action="report.viewed", target_id=str(theirs.pk)).exists()
    # Nobody edits or adds a report here, not even the agency's admin.
    admin = signed_in("ada", Role.ADMIN)
    assert admin.get("/admin/reports/report/add/").status_code == 403
    admin.post(f"/admin/reports/report/{report.pk}/change/", {"description": "changed"})
    report.refresh_from_db()
    assert report.description != "changed"
