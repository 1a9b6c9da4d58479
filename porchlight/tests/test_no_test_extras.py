"""The product installs and runs without the test extras.

Every product module (everything under porchlight/ but the stand-ins, the tests and the test
settings) is imported in a fresh interpreter under the production settings, with the test-only
packages made unimportable. A product module that imports one of them (the demo runner once
imported httpx) fails here, not on an operator's server.
"""

from __future__ import annotations

import subprocess
import sys

from porchlight.tests.production import ROOT, production_env

# The [test] extras of pyproject.toml, by import name.
TEST_ONLY = (
    "pytest",
    "_pytest",
    "playwright",
    "httpx",
    "aiosmtpd",
    "hypothesis",
    "time_machine",
    "tusclient",
)

_SCRIPT = """
import importlib, importlib.abc, pkgutil, sys

BLOCKED = set(sys.argv[1].split(","))

class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"test-only package {name} imported", name=name)
        return None

sys.meta_path.insert(0, Hide())
import django
django.setup()
import porchlight

skipped = ("standins", "porchlight.settings_test", "porchlight.conftest")
names = []
for info in pkgutil.walk_packages(porchlight.__path__, "porchlight."):
    name = info.name
    if name.startswith(skipped) or ".tests" in name or name.endswith(".conftest"):
        continue
    importlib.import_module(name)
    names.append(name)
print(len(names))
print("\\n".join(names))
"""


def test_every_product_module_imports_without_the_test_packages(tmp_path):
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="porchlight.settings")
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT, ",".join(TEST_ONLY)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    imported = result.stdout.split()[1:]
    # It did look: the modules that once needed httpx, and the rest of the product.
    assert {"porchlight.demo.runner", "porchlight.calls.simulator", "porchlight.urls"} <= set(
        imported
    )
    assert len(imported) > 50


def test_the_check_itself_notices_a_test_only_import(tmp_path):
    # The same interpreter set-up, importing one test-only package on purpose, must fail.
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="porchlight.settings")
    script = _SCRIPT.replace("import porchlight\n", "import porchlight\nimport httpx\n", 1)
    result = subprocess.run(
        [sys.executable, "-c", script, ",".join(TEST_ONLY)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert result.returncode != 0 and "test-only package httpx" in result.stderr
