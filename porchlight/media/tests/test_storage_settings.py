"""The storage settings: the filesystem by default, S3 buckets when PORCHLIGHT_S3_BUCKET is set
(originals in their own bucket when one is named, with signed URLs always)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

_SHOW = "import json; from django.conf import settings; print(json.dumps(settings.STORAGES, default=str))"


def _storages(**env: str) -> dict[str, dict[str, object]]:
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + _SHOW],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "porchlight.settings_test", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, dict[str, object]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_filesystem_by_default_with_originals_apart(tmp_path) -> None:  # type: ignore[no-untyped-def]
    found = _storages(PORCHLIGHT_VAR_DIR=str(tmp_path))
    assert found["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert found["evidence"]["OPTIONS"]["location"] == str(tmp_path / "evidence")  # type: ignore[index]
    assert (tmp_path / "media").is_dir() and (tmp_path / "evidence").is_dir()


def test_s3_when_a_bucket_is_named(tmp_path) -> None:  # type: ignore[no-untyped-def]
    found = _storages(
        PORCHLIGHT_VAR_DIR=str(tmp_path),
        PORCHLIGHT_S3_BUCKET="pd-media",
        PORCHLIGHT_S3_EVIDENCE_BUCKET="pd-evidence",
        PORCHLIGHT_S3_ENDPOINT_URL="https://minio.example.gov",
    )
    assert found["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    media, evidence = found["default"]["OPTIONS"], found["evidence"]["OPTIONS"]
    assert media["bucket_name"] == "pd-media" and media["querystring_auth"] is False  # type: ignore[index]
    assert evidence["bucket_name"] == "pd-evidence" and evidence["querystring_auth"] is True  # type: ignore[index]
    assert evidence["endpoint_url"] == "https://minio.example.gov"  # type: ignore[index]
    assert found["evidence"]["BACKEND"] == "storages.backends.s3.S3Storage"
