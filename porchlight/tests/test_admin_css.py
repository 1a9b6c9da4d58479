"""The admin's forms.css is Django's own without its @import (see the file's header), so a
Django upgrade that changes Django's copy fails here rather than leaving ours stale."""

from pathlib import Path

import django.contrib.admin
from django.contrib.staticfiles import finders

OURS = Path(__file__).resolve().parents[1] / "static" / "admin" / "css" / "forms.css"
DJANGOS = Path(django.contrib.admin.__file__).parent / "static" / "admin" / "css" / "forms.css"


def test_our_forms_css_is_djangos_without_the_import():
    theirs = DJANGOS.read_text().splitlines()
    assert theirs[0] == "@import url('widgets.css');"
    ours = OURS.read_text().split("*/\n", 1)[1].splitlines()
    assert ours == theirs[1:]


def test_ours_is_the_one_served():
    assert Path(finders.find("admin/css/forms.css")) == OURS


def test_no_stylesheet_we_serve_imports_another():
    static = Path(__file__).resolve().parents[1] / "static"
    assert not [p for p in static.rglob("*.css") if "@import" in p.read_text().split("*/", 1)[-1]]
