"""Checks of an Atom feed against RFC 4287's rules (sections 4.1–4.2): what a feed and each
entry must have exactly once, dates as RFC 3339, ids as absolute IRIs, links with href, and
text constructs with a known type."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[-+]\d\d:\d\d)$")
IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$")


def _once(parent: ET.Element, name: str, where: str) -> ET.Element:
    found = parent.findall(f"{A}{name}")
    assert len(found) == 1, f"{where} must have exactly one atom:{name} ({len(found)})"
    return found[0]


def check(root: ET.Element) -> list[ET.Element]:
    assert root.tag == f"{A}feed", root.tag
    for name in ("id", "title", "updated"):
        _once(root, name, "feed")
    assert IRI.match(root.findtext(f"{A}id") or ""), "feed id is not an IRI"
    assert RFC3339.match(root.findtext(f"{A}updated") or ""), "feed updated is not RFC 3339"
    selves = [link for link in root.findall(f"{A}link") if link.get("rel") == "self"]
    assert len(selves) == 1 and selves[0].get("href", "").startswith("http"), "rel=self"
    feed_author = root.find(f"{A}author") is not None
    entries = root.findall(f"{A}entry")
    for entry in entries:
        for name in ("id", "title", "updated"):
            _once(entry, name, "entry")
        assert IRI.match(entry.findtext(f"{A}id") or ""), "entry id is not an IRI"
        for name in ("updated", "published"):
            text = entry.findtext(f"{A}{name}")
            assert text is None or RFC3339.match(text), f"entry {name} {text!r}"
        assert feed_author or entry.find(f"{A}author") is not None, "an author is required"
        links = entry.findall(f"{A}link")
        assert all(link.get("href") for link in links), "a link without href"
        alternates = [link for link in links if link.get("rel", "alternate") == "alternate"]
        content = entry.find(f"{A}content")
        assert alternates or content is not None, "an entry needs content or rel=alternate"
        if content is not None:
            kind = content.get("type", "text")
            if kind not in ("text", "html", "xhtml") and kind.endswith("+xml"):
                assert len(content) == 1, "XML content must be one element"
        # At most one alternate link per type and language (RFC 4287, 4.1.1).
        kinds = {(link.get("type"), link.get("hreflang")) for link in alternates}
        assert len(kinds) == len(alternates), "two alternate links of one type and language"
    ids = [entry.findtext(f"{A}id") for entry in entries]
    assert len(ids) == len(set(ids)), "entry ids must be unique"
    return entries
