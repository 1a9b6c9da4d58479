"""The console import without a browser: upload, map, preview, save, queue, run, progress."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from porchlight.audit.models import AuditEntry
from porchlight.calls.importing import background
from porchlight.calls.models import Call, ConsoleImport, ImportRun, SavedMapping

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SEATTLE = (SAMPLES / "seattle-call-data.csv").read_bytes()


def _upload(client, data=SEATTLE, name="seattle.csv"):
    return client.post("/console/import/", {"file": SimpleUploadedFile(name, data)})


def _columns(**extra):
    """The map page's selects for the Seattle sample, as a person would choose them."""
    return {
        "col_incident_number": "CAD Event Number",
        "col_call_type": "Final Call Type",
        "col_priority": "Priority",
        "col_disposition": "Event Clearance Description",
        "time_received": "Original Time Queued",
        "close_without_cleared_time": "1",
        "base": '{"time_formats": ["%m/%d/%Y %I:%M:%S %p"], "time_zone": "America/Los_Angeles"}',
        **extra,
    }


@pytest.mark.django_db
def test_upload_map_preview_save_and_run(staff_client, agency):
    client = staff_client("admin")
    r = _upload(client)
    assert r.status_code == 302
    item = ConsoleImport.objects.get()
    assert r.url == f"/console/import/{item.pk}/"
    assert item.rows == 6 and "CAD Event Number" in item.header
    assert bytes(item.file_enc or b"").find(b"2023000404101") == -1  # kept encrypted

    page = client.get(r.url).content.decode()
    # The Seattle preset is recognised from the header and fills the selects.
    assert "<option selected>CAD Event Number</option>" in page

    r = client.post(r.url, _columns(action="preview"))
    assert r.status_code == 200, r.content.decode()[:2000]
    body = r.content.decode()
    assert "Nothing has been stored yet" in body and "2023000404101" in body
    assert "SUSPICIOUS PERSON, VEHICLE OR INCIDENT" in body
    assert Call.objects.count() == 0

    r = client.post(f"/console/import/{item.pk}/", _columns(action="save", name="Seattle 2023"))
    assert r.status_code == 200
    saved = SavedMapping.objects.get(agency=agency)
    assert saved.mapping["columns"]["incident_number"] == "CAD Event Number"
    assert AuditEntry.objects.filter(action="import_mapping.save").count() == 1
    # Next time, the saved mapping fills the selects.
    page = client.get(f"/console/import/{item.pk}/?start=saved:{saved.pk}").content.decode()
    assert "Seattle 2023" in page

    r = client.post(f"/console/import/{item.pk}/", _columns(action="run"))
    assert r.status_code == 302 and r.url == f"/console/import/{item.pk}/progress/"
    item.refresh_from_db()
    assert item.state == ConsoleImport.State.QUEUED
    assert "Waiting for the worker" in client.get(r.url).content.decode()

    assert background.run_next("test-worker") == item
    item.refresh_from_db()
    assert item.state == ConsoleImport.State.FINISHED and item.file_enc is None
    # The sixth row's time is 1899: rejected with its line, kept in the quarantine.
    assert Call.objects.filter(agency=agency, historical=True).count() == 5
    run = ImportRun.objects.get()
    assert item.run == run and run.rows == 6 and run.bad_row_count == 1
    fragment = client.get(f"{r.url}?fragment=1").content.decode()
    assert "6 of 6 rows" in fragment and "data-poll" not in fragment
    actions = AuditEntry.objects.filter(action__startswith="import.").values_list("action")
    assert sorted(a for (a,) in actions) == ["import.finish", "import.queue", "import.upload"]
    assert background.run_next("test-worker") is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("calls.xlsx", b"PK\x03\x04", "only CSV"),
        ("calls.csv", b"", "is empty"),
        ("calls.csv", b"a,b\x00,c\n1,2,3\n", "not a text file"),
        ("calls.csv", b"only-one-column\n1\n", "the header"),
        ("calls.jsonl", b"not json\n", "not JSON"),
    ],
)
def test_a_bad_file_is_a_400_with_the_reason(staff_client, name, data, reason):
    r = _upload(staff_client("admin"), data, name)
    assert r.status_code == 400
    assert reason in r.content.decode()
    assert ConsoleImport.objects.count() == 0


@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused(staff_client, settings):
    settings.IMPORT_UPLOAD_MAX_BYTES = 100
    r = _upload(staff_client("admin"))
    assert r.status_code == 400 and "larger than" in r.content.decode()


@pytest.mark.django_db
def test_a_mapping_without_incident_number_is_a_400(staff_client):
    client = staff_client("admin")
    _upload(client)
    item = ConsoleImport.objects.get()
    r = client.post(f"/console/import/{item.pk}/", _columns(col_incident_number="", action="run"))
    assert r.status_code == 400 and "incident_number" in r.content.decode()
    item.refresh_from_db()
    assert item.state == ConsoleImport.State.UPLOADED


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["supervisor", "readonly"])
def test_only_agency_admins_import(staff_client, role):
    client = staff_client(role)
    assert client.get("/console/import/").status_code == 403
    assert _upload(client).status_code == 403


@pytest.mark.django_db
def test_another_agencys_import_is_not_found(staff_client, agency):
    from porchlight.demo.agency import make_agency

    other = make_agency(slug="fresno", name="Fresno PD", ori="CA0100000")
    item = background.receive(other, SimpleUploadedFile("x.csv", SEATTLE), None)
    client = staff_client("admin")
    assert client.get(f"/console/import/{item.pk}/").status_code == 404
    assert client.get(f"/console/import/{item.pk}/progress/").status_code == 404


@pytest.mark.django_db
def test_porchlight_worker_once_runs_queued_imports(staff_client, agency, settings):
    settings.DEV_INBOX = True  # a channel to start with; no text is due
    from io import StringIO

    from django.core.management import call_command

    client = staff_client("admin")
    _upload(client)
    item = ConsoleImport.objects.get()
    client.post(f"/console/import/{item.pk}/", _columns(action="run"))
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    assert "ran 1 console imports" in out.getvalue()
    item.refresh_from_db()
    assert item.state == ConsoleImport.State.FINISHED


@pytest.mark.django_db
def test_a_second_worker_waits_for_the_lease(staff_client, agency):
    client = staff_client("admin")
    _upload(client)
    item = ConsoleImport.objects.get()
    client.post(f"/console/import/{item.pk}/", _columns(action="run"))
    from porchlight.notify.worker import take_lease

    assert take_lease(background.LEASE, "other-worker", background.LEASE_TTL)
    assert background.run_next("this-worker") is None
    item.refresh_from_db()
    assert item.state == ConsoleImport.State.QUEUED


@pytest.mark.django_db
def test_a_stopping_worker_leaves_the_import_to_resume(staff_client, agency):
    import threading

    client = staff_client("admin")
    _upload(client)
    item = ConsoleImport.objects.get()
    client.post(f"/console/import/{item.pk}/", _columns(action="run"))
    stop = threading.Event()
    stop.set()
    assert background.run_next("w1", stop) == item
    item.refresh_from_db()
    assert item.state == ConsoleImport.State.RUNNING and Call.objects.count() == 0
    assert background.run_next("w1") == item  # the same worker, started again
    item.refresh_from_db()
    assert item.state == ConsoleImport.State.FINISHED
