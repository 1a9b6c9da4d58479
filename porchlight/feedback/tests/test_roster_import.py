"""The roster CSV import: applied a slice at a time behind a progress bar, resumable, with
each bad row named."""

from datetime import date, time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from porchlight.feedback import roster
from porchlight.feedback.models import Officer, RosterEntry, RosterImport, Shift


def csv_file(rows):
    lines = ["date,shift,unit,badge,name"] + rows
    return SimpleUploadedFile("roster.csv", "\n".join(lines).encode(), content_type="text/csv")


@pytest.mark.django_db
def test_an_admin_imports_a_roster_with_progress(agency, staff_client):
    Shift.objects.create(agency=agency, name="Days", starts=time(6), ends=time(16))
    Shift.objects.create(agency=agency, name="Nights", starts=time(16), ends=time(6))
    rows = [f"2026-11-22,Days,2A{i:02d},P{i:04d},Officer {i}" for i in range(450)]
    rows += ["2026-13-01,Days,2A01,P0001,", "2026-11-22,Swing,2A01,P0001,", "2026-11-22,Days,,P1,"]
    client = staff_client("admin")
    r = client.post("/console/feedback/roster/", {"file": csv_file(rows)})
    assert r.status_code == 302
    run = RosterImport.objects.get()
    assert run.total == 453 and run.done == 0
    page = client.get(r["Location"])
    assert b"<progress" in page.content and b'max="453"' in page.content

    # The page's script posts until done; each answer is the progress so far.
    seen = []
    while True:
        step = client.post(r["Location"], HTTP_ACCEPT="application/json").json()
        seen.append(step["done"])
        if step["finished"]:
            break
    assert seen == [200, 400, 453]
    run.refresh_from_db()
    assert run.added == 450
    assert run.problems == [
        "line 452: date is not YYYY-MM-DD",
        "line 453: no shift named 'Swing'",
        "line 454: unit and badge are required",
    ]
    assert RosterEntry.objects.filter(source="csv").count() == 450
    assert Officer.objects.get(badge="P0007").name == "Officer 7"
    done = client.get(r["Location"])
    assert b"Finished." in done.content and b"line 453" in done.content


@pytest.mark.django_db
def test_an_interrupted_import_resumes_and_adds_nothing_twice(agency):
    Shift.objects.create(agency=agency, name="Days", starts=time(6), ends=time(16))
    text = "date,shift,unit,badge\n" + "\n".join(f"2026-11-22,Days,U{i},B{i}" for i in range(250))
    run = roster.start_import(agency, "r.csv", text.encode(), None)
    roster.apply_slice(run.pk)
    RosterImport.objects.filter(pk=run.pk).update(done=100)  # as if the first slice half-ran
    while not roster.apply_slice(run.pk).finished:
        pass
    assert RosterEntry.objects.count() == 250


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", b"The file is empty."),
        (b"day,unit\n1,2", b"Missing columns"),
        (b"\xff\xfe\x00bad", b"not UTF-8"),
    ],
)
def test_a_bad_file_is_refused_with_the_reason(agency, staff_client, content, reason):
    client = staff_client("admin")
    r = client.post(
        "/console/feedback/roster/", {"file": SimpleUploadedFile("r.csv", content or b" ")}
    )
    assert r.status_code == 400
    assert reason in r.content or (not content and b"empty" in r.content)


@pytest.mark.django_db
def test_only_admins_import(agency, staff_client):
    client = staff_client("supervisor")
    assert client.get("/console/feedback/roster/").status_code == 403


def test_a_night_shift_owns_the_early_hours(db, agency):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    night = Shift.objects.create(agency=agency, name="Nights", starts=time(18), ends=time(6))
    Shift.objects.create(agency=agency, name="Days", starts=time(6), ends=time(18))
    at = datetime(2026, 11, 23, 2, 30, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert roster.shift_at(agency, at) == (night, date(2026, 11, 22))
