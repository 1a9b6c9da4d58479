"""The report-copy request: the public form makes a request for records staff, who change its
status (audited); the requester is told each change, in their language."""

import pytest

from porchlight.audit.models import AuditEntry
from porchlight.cases.models import CopyRequest
from porchlight.cases.tests.conftest import sent_text
from porchlight.notify.models import Outbox, Trigger
from standins.browser import client_login, make_staff

URL = "/cases/bakersfield/report-copy/"


@pytest.mark.django_db
def test_a_request_is_made_and_the_requester_told_of_each_change(client, agency, make_case):
    case = make_case(domestic_violence=True, reporter_phone="")
    r = client.post(URL, {"case_number": case.number.lower(), "phone": "661-555-0123",
                          "language": "es"})  # fmt: skip
    assert r.status_code == 200
    copy = CopyRequest.objects.get()
    assert copy.case == case and copy.phone.address == "+16615550123" and copy.language == "es"
    client_login(client, make_staff(agency, role="records", username="rec"))
    page = client.get("/console/cases/copies/").content.decode()
    assert case.number in page and "FC 6228" in page
    r = client.post(f"/console/cases/copies/{copy.pk}/", {"status": "ready"})
    assert r.status_code == 302
    copy.refresh_from_db()
    assert copy.status == "ready"
    text = sent_text(Outbox.objects.get(trigger=Trigger.COPY_REQUEST))
    assert case.number in text and "Lista para recoger" in text
    assert AuditEntry.objects.get(action="case.copy_status").changes["status"] == [
        "received", "ready"]  # fmt: skip
    client.post(f"/console/cases/copies/{copy.pk}/", {"status": "ready"})
    assert Outbox.objects.filter(trigger=Trigger.COPY_REQUEST).count() == 1


@pytest.mark.django_db
def test_an_unknown_case_number_gets_the_same_answer(client, agency):
    r = client.post(URL, {"case_number": "C26-999999", "email": "a@example.org", "language": "en"})
    assert r.status_code == 200 and "Request received" in r.content.decode()
    assert CopyRequest.objects.get().case is None


@pytest.mark.django_db
def test_a_request_needs_a_way_to_answer(client, agency):
    r = client.post(URL, {"case_number": "C26-000001", "language": "en"})
    assert r.status_code == 400 and not CopyRequest.objects.exists()


@pytest.mark.django_db
def test_a_bad_status_and_another_agency_are_refused(client, agency, make_case):
    from standins.builders import make_agency

    client.post(URL, {"case_number": "C26-000001", "email": "a@example.org", "language": "en"})
    copy = CopyRequest.objects.get()
    kern = make_agency(slug="kern", ori="CA0150000")
    client_login(client, make_staff(kern, role="records", username="kernrec"))
    assert client.post(f"/console/cases/copies/{copy.pk}/", {"status": "ready"}).status_code == 404
    copy.refresh_from_db()
    assert copy.status == "received"
