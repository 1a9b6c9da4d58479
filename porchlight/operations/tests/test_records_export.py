"""The public-records export is complete against a hand-built fixture: a caller who was
texted, opted out, texted back, answered the survey and reported a crime; someone else's call
stays out."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from porchlight.audit.log import record
from porchlight.audit.models import AuditEntry
from porchlight.cases.open import open_case
from porchlight.feedback import answers
from porchlight.feedback.models import Invitation
from porchlight.feedback.tests.calls import cleared_call
from porchlight.notify import consent, pii
from porchlight.notify.models import Channel, Contact, Inbound, Outbox
from porchlight.operations import records

PHONE = "+16615550142"
OTHER = "661-555-0199"


@pytest.fixture
def history(agency):
    call = cleared_call(agency, "26-020001", phone="661-555-0142")
    others = cleared_call(agency, "26-020002", phone=OTHER)
    contact = Contact.objects.get(pk=call.caller_phone_id)
    Outbox.objects.filter(contact=contact).update(
        state="sent", body="Bakersfield PD: we got your call 26-020001."
    )
    consent.opt_out(Channel.SMS, contact.address_hash, "+16615550100", "sms:STOP")
    Inbound.objects.create(
        agency=agency,
        contact=contact,
        sender="+16615550100",
        address_hash=contact.address_hash,
        address_enc=pii.encrypt(PHONE),
        body_enc=pii.encrypt("Is anyone coming back about the bike?"),
        kind=Inbound.Kind.REPLY,
        answer="This number is not monitored.",
    )
    invitation = Invitation.objects.get(call=call)
    q = {x.about: answers.field(x) for x in invitation.survey.questions.all()}
    answers.submit(invitation, {q["overall"]: "4", q["different"]: "Faster callback please"}, "en")
    case = open_case(
        agency,
        source="console",
        offense_code="240",
        offense="Bicycle theft",
        occurred_at=None,
        address="1501 Truxtun Ave",
        lat=None,
        lon=None,
        reporter_phone="661-555-0142",
        incident_numbers=[call.incident_number],
        notify=False,
    )
    record("calls.caller_viewed", actor_label="sgt", agency=agency, target=call)
    return {"call": call, "others": others, "contact": contact, "case": case}


def ids(rows, key="id"):
    return sorted(r[key] for r in rows)


@pytest.mark.django_db
def test_the_export_by_phone_holds_everything_about_the_number(agency, history):
    export = records.build(records.find(agency, phone="(661) 555-0142"))
    t = export.tables
    contact, call = history["contact"], history["call"]
    assert [(c["id"], c["address"]) for c in t["contacts"]] == [(contact.pk, PHONE)]
    assert ids(t["messages"]) == sorted(
        Outbox.objects.filter(contact=contact).values_list("pk", flat=True)
    )
    assert t["messages"] and all(m["body"].endswith("26-020001.") for m in t["messages"])
    assert [(c["kind"], c.get("action", ""), c["source"]) for c in t["consent"]] == [
        ("change", "opt_out", "sms:STOP"),
        ("opt-out", "", "sms:STOP"),
    ]
    assert [m["body"] for m in t["texts_received"]] == ["Is anyone coming back about the bike?"]
    assert [c["incident_number"] for c in t["calls"]] == ["26-020001"]
    assert [c["number"] for c in t["cases"]] == [history["case"].number]
    assert t["case_events"]
    typed = [r["text"] for r in t["survey_responses"] if r["text"]]
    assert typed == ["Faster callback please"]
    assert ("calls.caller_viewed", str(call.pk)) in [
        (a["action"], a["target_id"]) for a in t["audit"]
    ]
    # Someone else's call, messages and contact are not in it.
    everything = json.dumps(t, default=str)
    assert "26-020002" not in everything and "5550199" not in everything


@pytest.mark.django_db
def test_the_export_by_case_reaches_the_reporter_and_the_linked_call(agency, history):
    export = records.build(records.find(agency, case_number=history["case"].number))
    t = export.tables
    assert [c["incident_number"] for c in t["calls"]] == ["26-020001"]
    assert [c["address"] for c in t["contacts"]] == [PHONE]
    assert ids(t["messages"]) == sorted(
        Outbox.objects.filter(call=history["call"]).values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_records_staff_download_the_zip_and_the_export_is_audited(staff_client, agency, history):
    client = staff_client("records")
    assert client.get("/console/operations/records/").status_code == 200
    r = client.post("/console/operations/records/", {"phone": "661-555-0142"})
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    assert r["Content-Disposition"].startswith('attachment; filename="records-bakersfield-phone-')
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    names = sorted(archive.namelist())
    assert names == sorted(
        ["contacts.csv", "messages.csv", "consent.csv", "texts_received.csv", "calls.csv",
         "cases.csv", "case_events.csv", "online_reports.csv", "survey_responses.csv",
         "audit.csv", "export.json"]
    )  # fmt: skip
    tables = json.loads(archive.read("export.json"))
    for name, rows in tables.items():
        read = list(csv.DictReader(io.StringIO(archive.read(f"{name}.csv").decode())))
        assert len(read) == len(rows), name
    assert (
        list(csv.DictReader(io.StringIO(archive.read("contacts.csv").decode())))[0]["address"]
        == PHONE
    )
    entry = AuditEntry.objects.get(action="operations.records.export")
    assert entry.changes["by"] == "phone" and entry.changes["rows"]["calls"] == 1
    assert "0142" not in json.dumps(entry.changes)


@pytest.mark.django_db
def test_bad_or_unknown_requests_get_a_reason(staff_client, agency):
    client = staff_client("records")
    both = client.post("/console/operations/records/", {"phone": "6615550142", "case": "C1"})
    assert both.status_code == 400
    assert "Give one of: a phone number, an email address, a case number." in both.content.decode()
    assert client.post("/console/operations/records/", {"phone": "12"}).status_code == 400
    unknown = client.post("/console/operations/records/", {"email": "nobody@example.org"})
    assert unknown.status_code == 404 and "Nothing is held" in unknown.content.decode()
    assert not AuditEntry.objects.filter(action="operations.records.export").exists()


@pytest.mark.django_db
def test_other_roles_cannot_export(staff_client):
    assert staff_client("supervisor").get("/console/operations/records/").status_code == 403
