"""Run the `porchlight` command as an operator would: production settings, our own environment.

The test process's environment carries the test settings and their throwaway secrets; these
helpers start from a bare environment instead, so what a command sees is only what the test
says a deployment would set.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PORCHLIGHT = str(Path(sys.executable).with_name("porchlight"))


def bare_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Only PATH, HOME, a private var dir and what the caller adds: no settings, no secrets."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PORCHLIGHT_VAR_DIR": str(tmp_path / "var"),
    }
    env.update(extra)
    return env


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """What docs/operators.md tells an operator behind a TLS-terminating proxy to set."""
    settings = {
        "PORCHLIGHT_SECRET_KEY": secrets.token_urlsafe(50),
        "PORCHLIGHT_PII_KEY": secrets.token_urlsafe(50),
        "SITE_URL": "https://porchlight.example.gov",
        "ALLOWED_HOSTS": "porchlight.example.gov",
        "CSRF_TRUSTED_ORIGINS": "https://porchlight.example.gov",
        "BEHIND_TLS_PROXY": "1",
        "PORCHLIGHT_TRUSTED_PROXIES": "127.0.0.1",
    }
    return bare_env(tmp_path, **{**settings, **extra})


def porchlight(
    env: dict[str, str], *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    # The timeout only catches a hang: `setup` migrates a whole database, which took over two
    # minutes on PostgreSQL on a loaded 2-core machine.
    return subprocess.run(
        [PORCHLIGHT, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=env["HOME"],
        timeout=timeout,
    )
