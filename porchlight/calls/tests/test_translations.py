"""The Spanish catalogs are complete, not fuzzy, compiled, and used.

There is the project's catalog (porchlight/locale) and one per app that keeps its own
(porchlight/<app>/locale): Django merges them all, so a string may live in either.
"""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest

from standins.browser import make_staff

PACKAGE = Path(__file__).resolve().parents[2]
CATALOGS = [PACKAGE / "locale" / "es" / "LC_MESSAGES"] + sorted(
    PACKAGE.glob("*/locale/es/LC_MESSAGES")
)


def entries(lc: Path) -> list[dict[str, object]]:
    """The .po file's entries: flags, msgid, msgid_plural and msgstr(s), strings unquoted."""
    out = []
    for block in lc.joinpath("django.po").read_text(encoding="utf-8").split("\n\n"):
        entry: dict[str, object] = {"flags": set(), "obsolete": False}
        key = None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry["obsolete"] = True
            elif line.startswith("#,"):
                entry["flags"] |= {f.strip() for f in line[2:].split(",")}  # type: ignore[operator]
            elif line.startswith(("msgid", "msgstr", "msgctxt")):
                key, _, value = line.partition(" ")
                entry[key] = ast.literal_eval(value)
            elif line.startswith('"') and key:
                entry[key] = str(entry[key]) + ast.literal_eval(line)
        if "msgid" in entry:
            out.append(entry)
    return out


def test_the_project_catalog_is_there():
    assert len(entries(CATALOGS[0])) > 100


@pytest.mark.parametrize("lc", CATALOGS, ids=lambda lc: str(lc.relative_to(PACKAGE)))
def test_every_string_is_translated_and_none_is_fuzzy(lc):
    all_entries = entries(lc)
    untranslated = [
        e["msgid"]
        for e in all_entries[1:]  # the first entry is the header
        if not e["obsolete"] and any(not e[k] for k in e if str(k).startswith("msgstr"))
    ]
    fuzzy = [e["msgid"] or "(header)" for e in all_entries if "fuzzy" in e["flags"]]
    assert not untranslated, f"untranslated in {lc}/django.po: {untranslated}"
    assert not fuzzy, f"fuzzy in {lc}/django.po: {fuzzy}"


@pytest.mark.parametrize("lc", CATALOGS, ids=lambda lc: str(lc.relative_to(PACKAGE)))
def test_the_compiled_catalog_matches_the_po_file(lc):
    # Compared by content, not by file time: a git checkout gives both files the same arbitrary
    # times, so "the .mo is not older than the .po" is checked as "the .mo says what the .po says".
    with lc.joinpath("django.mo").open("rb") as f:
        mo = gettext.GNUTranslations(f)
    stale = []
    for e in entries(lc)[1:]:
        if e["obsolete"]:
            continue
        msgid = str(e["msgid"])
        if "msgid_plural" in e:
            got = [mo.ngettext(msgid, str(e["msgid_plural"]), n) for n in (1, 2)]
            want = [e["msgstr[0]"], e["msgstr[1]"]]
        elif "msgctxt" in e:
            got, want = mo.pgettext(str(e["msgctxt"]), msgid), e["msgstr"]
        else:
            got, want = mo.gettext(msgid), e["msgstr"]
        if got != want:
            stale.append(msgid)
    assert not stale, f"{lc}/django.mo is stale; run compilemessages. Differs for: {stale[:10]}"


@pytest.mark.django_db
def test_the_console_speaks_spanish(client, agency):
    from standins.browser import client_login

    client_login(client, make_staff(agency, role="readonly"))
    client.post("/i18n/setlang/", {"language": "es", "next": "/console/"})
    page = client.get("/console/quarantine/").content.decode()
    assert '<html lang="es">' in page
    assert (
        "Cuarentena" in page and "Porchlight no es el 911. En una emergencia, llame al 911." in page
    )
