"""`porchlight import`: its summary, the progress bar, and exit codes."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from porchlight.calls.models import Call

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_import_prints_summary_bad_lines_and_progress(agency):
    out, err = run(
        str(SAMPLES / "san-francisco-closed.csv"),
        "--agency",
        agency.slug,
        "--preset",
        "san-francisco",
    )

    assert "12 rows" in out and "6 rejected" in out
    assert "  line 7: received_datetime '2024/02/30 01:45:00 AM'" in out
    assert "  line 8: cad_number (the incident number) is empty" in out
    assert "rows/s" in err and "12/" in err  # tqdm on stderr: rows and rate
    assert Call.objects.count() == 11


@pytest.mark.django_db
def test_second_run_says_nothing_to_do(agency):
    args = (
        str(SAMPLES / "new-orleans-2017.csv"),
        "--agency",
        agency.slug,
        "--preset",
        "new-orleans",
        "--no-progress",
    )
    run(*args)
    out, _ = run(*args)
    assert "already imported" in out and "nothing to do" in out
    assert "line 7:" in out


@pytest.mark.django_db
def test_limit_says_how_to_continue(agency):
    args = (
        str(SAMPLES / "new-orleans-2017.csv"),
        "--agency",
        agency.slug,
        "--preset",
        "new-orleans",
        "--no-progress",
    )
    out, _ = run(*args, "--limit", "5")
    assert "run the same command again" in out
    out, _ = run(*args)
    assert "Resumed after line 6." in out and "7 rows" in out


@pytest.mark.parametrize(
    "args, reason",
    [
        (["missing.csv", "--preset", "new-orleans"], "cannot read missing.csv"),
        ([str(SAMPLES / "san-francisco-closed.csv")], "needs --preset"),
        ([str(SAMPLES / "san-francisco-closed.csv"), "--preset", "new-orleans"], "NOPD_Item"),
        ([str(SAMPLES / "new-orleans-2017.csv"), "--preset", "generic"], "--mapping"),
    ],
)
@pytest.mark.django_db
def test_unreadable_file_is_an_error_with_reason(agency, args, reason):
    with pytest.raises(CommandError, match=reason):
        run(*args, "--agency", agency.slug, "--no-progress")
    assert not Call.objects.exists()


@pytest.mark.django_db
def test_unknown_agency(agency):
    with pytest.raises(CommandError, match="no agency"):
        run(str(SAMPLES / "new-orleans-2017.csv"), "--agency", "nowhere", "--preset", "new-orleans")


def test_cli_exit_code_is_nonzero_only_when_the_file_cannot_be_read(tmp_path):
    import os
    import subprocess
    import sys

    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="porchlight.settings_test",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
    )
    manage = [sys.executable, "-m", "porchlight.cli"]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    seed = "from standins.builders import make_agency; make_agency()"
    subprocess.run([*manage, "shell", "-c", seed], env=env, check=True)
    sample = str(SAMPLES / "new-orleans-2017.csv")
    ok = subprocess.run(
        [*manage, "import", sample, "--agency", "bakersfield", "--preset", "new-orleans"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr  # bad rows inside do not fail the command
    assert "line 8:" in ok.stdout
    bad = subprocess.run(
        [
            *manage,
            "import",
            str(tmp_path / "nope.csv"),
            "--agency",
            "bakersfield",
            "--preset",
            "new-orleans",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1
    assert "cannot read nope.csv" in bad.stderr and "Traceback" not in bad.stderr
