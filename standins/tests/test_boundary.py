"""Product code never imports the stand-ins: they are test and development tooling only."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent.parent / "porchlight"
# Folders whose modules are tooling or tests themselves, and so may use the stand-ins.
TOOLING = {"standins", "tests"}


def product_modules() -> list[Path]:
    found = []
    for path in PACKAGE.rglob("*.py"):
        parts = set(path.relative_to(PACKAGE).parts[:-1])
        if parts & TOOLING or path.name == "conftest.py":
            continue
        found.append(path)
    return found


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_product_code_does_not_import_standins():
    modules = product_modules()
    assert len(modules) > 50, "the walk found too few modules to mean anything"
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            n for n in imports_of(path) if n.startswith("standins")
        )
        for path in modules
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_check_sees_every_import_form(tmp_path):
    # The walk above would pass vacuously if imports_of missed a form of import.
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import standins.smtp\n"
        "from standins.builders import make_key\n"
        "from standins import crashloop\n"
    )
    found = imports_of(probe)
    assert "standins.smtp" in found
    assert "standins.builders" in found
    assert "standins.crashloop" in found
