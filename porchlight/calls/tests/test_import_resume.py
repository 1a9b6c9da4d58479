"""An interrupted import resumes after its last committed batch: no row twice, none lost."""

import pytest

from porchlight.calls.importing import run_import
from porchlight.calls.models import Call, Event, ImportRun, Quarantine

HEADER = "IncidentNo,Received,Cleared\n"
MAPPING = '{"columns": {"incident_number": "IncidentNo"}, "times": {"received": "Received", "cleared": "Cleared"}}'


@pytest.fixture
def export(tmp_path):
    rows = [
        f"26-{n:06d},2026-11-20T08:{n % 60:02d}:00,2026-11-20T09:{n % 60:02d}:00\n"
        for n in range(1, 101)
    ]
    rows[41] = "26-000042,yesterday,2026-11-20T09:42:00\n"  # line 43
    path = tmp_path / "export.csv"
    path.write_text(HEADER + "".join(rows))
    mapping = tmp_path / "mapping.json"
    mapping.write_text(MAPPING)
    return path, mapping


class Boom(Exception):
    pass


@pytest.mark.django_db
def test_interrupted_import_resumes_without_duplicates_or_loss(agency, export):
    path, mapping = export

    def fail_on_third(number):
        if number == 3:
            raise Boom

    with pytest.raises(Boom):
        run_import(
            path, agency, "generic", mapping_path=mapping, batch_rows=20, before_batch=fail_on_third
        )
    run = ImportRun.objects.get()
    assert (run.state, run.last_line, run.rows) == ("running", 41, 40)
    assert Call.objects.count() == 40

    result = run_import(path, agency, "generic", mapping_path=mapping, batch_rows=20)

    assert result.resumed_after_line == 41 and result.rows == 60 and result.finished
    assert (result.duplicate, result.conflict) == (0, 0)
    assert Call.objects.count() == 100
    assert Event.objects.count() == 199  # 200 events, one rejected
    assert Quarantine.objects.count() == 1
    run.refresh_from_db()
    assert (run.state, run.rows, run.applied, run.rejected) == ("finished", 100, 199, 1)
    assert run.bad_rows == [[43, run.bad_rows[0][1]]] and "'yesterday'" in run.bad_rows[0][1]


@pytest.mark.django_db
def test_limit_stops_resumably_and_finished_import_does_nothing(agency, export):
    path, mapping = export
    first = run_import(path, agency, "generic", mapping_path=mapping, batch_rows=30, limit=45)
    assert (first.rows, first.finished) == (45, False)
    assert Call.objects.count() == 45

    second = run_import(path, agency, "generic", mapping_path=mapping, batch_rows=30)
    assert (second.rows, second.finished, second.resumed_after_line) == (55, True, 46)
    assert Call.objects.count() == 100

    again = run_import(path, agency, "generic", mapping_path=mapping)
    assert again.already_done and again.rows == 0
    assert [b.line for b in again.bad_rows] == [43]  # still reported from the finished run
    assert Event.objects.count() == 199


@pytest.mark.django_db
def test_another_mapping_is_another_import(agency, export, tmp_path):
    path, mapping = export
    run_import(path, agency, "generic", mapping_path=mapping)
    other = tmp_path / "other.json"
    other.write_text(MAPPING.replace('"cleared": "Cleared"', '"onscene": "Cleared"'))
    result = run_import(path, agency, "generic", mapping_path=other)
    assert not result.already_done and ImportRun.objects.count() == 2
