"""`porchlight check --deploy` under the production settings docs/operators.md describes."""

from __future__ import annotations

import re

from porchlight.tests.production import ROOT, porchlight, production_env

OPERATORS = (ROOT / "docs" / "operators.md").read_text()


def warnings(output: str) -> set[str]:
    return set(re.findall(r"\((\w+\.[WE]\d+)\)", output))


def test_check_deploy_warns_only_of_what_the_docs_explain(tmp_path):
    result = porchlight(production_env(tmp_path), "check", "--deploy")
    assert result.returncode == 0, result.stderr
    found = warnings(result.stdout + result.stderr)
    # HSTS preload is the domain owner's decision; operators.md says why it is off.
    assert found == {"security.W021"}
    for code in found:
        assert f"`{code}`" in OPERATORS


def test_check_deploy_is_silent_with_preload_on(tmp_path):
    result = porchlight(production_env(tmp_path, SECURE_HSTS_PRELOAD="1"), "check", "--deploy")
    assert result.returncode == 0, result.stderr
    assert warnings(result.stdout + result.stderr) == set()
    assert "no issues" in result.stdout


def test_check_deploy_says_what_is_missing_without_the_tls_proxy(tmp_path):
    # TLS not at a proxy that says so: no HTTPS redirect by default, and the check says so.
    env = production_env(tmp_path)
    del env["BEHIND_TLS_PROXY"]
    result = porchlight(env, "check", "--deploy")
    assert result.returncode == 0, result.stderr
    found = warnings(result.stdout + result.stderr)
    assert found == {"security.W008", "security.W021"}
    assert "`security.W008`" in OPERATORS
