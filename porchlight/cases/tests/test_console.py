"""The detective's console: my cases, the case page, public and private notes, and status
changes where there is no RMS feed. Scoped to the agency, and every change audited."""

import pytest

from porchlight.audit.models import AuditEntry
from porchlight.cases import optin
from porchlight.cases import status as case_status
from porchlight.cases.defaults import case_settings
from porchlight.cases.models import CaseEvent, Term
from porchlight.cases.tests.conftest import sent_text
from porchlight.notify.models import Outbox, Trigger
from standins.browser import client_login, make_staff
from standins.builders import make_agency


@pytest.fixture
def detective(client, agency):
    login = make_staff(agency, role="detective", username="mlopez", email="mlopez@bakersfieldpd.us")
    client_login(client, login)
    return login.user.staff


@pytest.fixture
def case(make_case, detective):
    case = make_case(language="es")
    case_status.assign(case, name="Maria Lopez", title="Det.", at=case.created, source="rms",
                       staff=detective, phone="661-555-0142")  # fmt: skip
    return case


@pytest.mark.django_db
def test_my_cases_lists_mine_and_the_case_page_shows_the_card_code(client, case, make_case):
    other = make_case()
    page = client.get("/console/cases/").content.decode()
    assert case.number in page and other.number not in page
    assert other.number in client.get("/console/cases/?all=1").content.decode()
    page = client.get(f"/console/cases/{case.pk}/").content.decode()
    assert optin.card_code(case) in page and "Theft from motor vehicle" in page


@pytest.mark.django_db
def test_a_public_note_goes_to_the_victim_and_a_private_one_does_not(client, case):
    r = client.post(f"/console/cases/{case.pk}/note/",
                    {"text": "Encontramos su bicicleta. Llámeme.", "public": "on"})  # fmt: skip
    assert r.status_code == 302
    row = Outbox.objects.get(trigger=Trigger.CASE_NOTE)
    assert "Encontramos su bicicleta" in sent_text(row) and "Det. Maria Lopez" in sent_text(row)
    client.post(f"/console/cases/{case.pk}/note/", {"text": "Suspect is the neighbour."})
    assert Outbox.objects.filter(trigger=Trigger.CASE_NOTE).count() == 1
    notes = CaseEvent.objects.filter(case=case, kind="note").order_by("id")
    assert [n.public for n in notes] == [True, False]
    entries = AuditEntry.objects.filter(action="case.note").order_by("id")
    assert [e.changes["public"] for e in entries] == [True, False]
    assert "Suspect" not in str(entries[1].changes)


@pytest.mark.django_db
def test_without_an_rms_feed_the_detective_closes_the_case(client, case):
    r = client.post(f"/console/cases/{case.pk}/status/", {"term": Term.EXCEPTIONAL_B})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.term == Term.EXCEPTIONAL_B and case.closed_at is not None
    text = sent_text(Outbox.objects.get(trigger=Trigger.CASE_CLOSED))
    assert "esclarecido" in text and "fiscal" not in text
    entry = AuditEntry.objects.get(action="case.status")
    assert entry.changes["term"] == [Term.OPEN, Term.EXCEPTIONAL_B]
    client.post(f"/console/cases/{case.pk}/status/", {"term": Term.SUSPENDED})
    case.refresh_from_db()
    assert case.term == Term.SUSPENDED and case.closed_at is None


@pytest.mark.django_db
def test_with_an_rms_feed_statuses_come_from_the_rms(client, case, agency):
    settings = case_settings(agency)
    settings.rms_feed = True
    settings.save()
    client.post(f"/console/cases/{case.pk}/status/", {"term": Term.CLOSED})
    case.refresh_from_db()
    assert case.term == Term.OPEN and not AuditEntry.objects.filter(action="case.status").exists()
    assert "Change the status" not in client.get(f"/console/cases/{case.pk}/").content.decode()


@pytest.mark.django_db
def test_a_bad_status_is_refused(client, case):
    client.post(f"/console/cases/{case.pk}/status/", {"term": "death"})
    case.refresh_from_db()
    assert case.term == Term.OPEN


@pytest.mark.django_db
def test_another_agencys_case_is_not_found(client, detective):
    from porchlight.cases.open import open_case

    kern = make_agency(slug="kern", ori="CA0150000")
    theirs = open_case(kern, source="online", offense_code="", offense="", occurred_at=None,
                       address="", lat=None, lon=None)  # fmt: skip
    assert client.get(f"/console/cases/{theirs.pk}/").status_code == 404
    assert client.post(f"/console/cases/{theirs.pk}/note/", {"text": "x"}).status_code == 404


@pytest.mark.django_db
def test_read_only_staff_cannot_write(client, agency, make_case):
    case = make_case()
    client_login(client, make_staff(agency, role="readonly", username="ro"))
    assert client.get(f"/console/cases/{case.pk}/").status_code == 200
    assert client.post(f"/console/cases/{case.pk}/note/", {"text": "x"}).status_code == 403
    assert client.post(f"/console/cases/{case.pk}/status/", {"term": "closed"}).status_code == 403
