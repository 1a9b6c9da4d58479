"""SMS encoding: GSM-7 or UCS-2, segments, and the characters that force UCS-2."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from porchlight.notify import gsm

GSM_TEXT = st.text(alphabet=sorted(gsm.BASIC | gsm.EXTENDED), max_size=600)


@pytest.mark.parametrize(
    "text, encoding, segments",
    [
        ("", "GSM-7", 0),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        # The extension table costs two septets each: 80 euro signs fill one segment.
        ("€" * 80, "GSM-7", 1),
        ("€" * 81, "GSM-7", 2),
        ("¿Dónde?", "UCS-2", 1),
        ("é" * 160, "GSM-7", 1),  # é is in the alphabet; á, í, ó, ú are not
        ("á" * 70, "UCS-2", 1),
        ("á" * 71, "UCS-2", 2),
        ("á" * 134, "UCS-2", 2),
        ("á" * 135, "UCS-2", 3),
        # An emoji is two UTF-16 code units.
        ("🚓" * 35, "UCS-2", 1),
        ("🚓" * 36, "UCS-2", 2),
    ],
)
def test_encoding_and_segments(text, encoding, segments):
    result = gsm.analyse(text)
    assert (result.encoding, result.segments) == (encoding, segments)


def test_an_escape_is_never_split_across_parts():
    # 152 plain characters then a euro sign: the sign's two septets do not fit the first part.
    parts = gsm.split("a" * 152 + "€" + "b" * 10)
    assert parts == ["a" * 152, "€" + "b" * 10]


def test_characters_that_force_ucs2_are_flagged_with_their_replacement():
    result = gsm.analyse("It’s “fine” — really… ¿Dónde? Qué")
    flags = {f.char: f.replacement for f in result.flags}
    # é is in the GSM alphabet; ó is not, and it is a letter, not typography: no replacement.
    assert flags == {"’": "'", "“": '"', "”": '"', "—": "-", "…": "...", "ó": None}
    assert result.encoding == "UCS-2" and not result.needless
    assert gsm.analyse("It’s fine").needless


def test_normalise_replaces_only_needless_characters():
    text = "It’s\u00a0“fine” – ok…\u200b Qué"
    assert gsm.normalise(text) == 'It\'s "fine" - ok... Qué'
    assert gsm.analyse(gsm.normalise("It’s “fine” — ok…")).encoding == "GSM-7"


@given(st.text(max_size=400))
def test_normalise_is_idempotent_and_leaves_nothing_replaceable(text):
    once = gsm.normalise(text)
    assert gsm.normalise(once) == once
    assert all(f.replacement is None for f in gsm.analyse(once).flags)


def _units(part, encoding):
    if encoding == "GSM-7":
        return sum(2 if c in gsm.EXTENDED else 1 for c in part)
    return len(part.encode("utf-16-le")) // 2


@given(st.text(max_size=700))
def test_parts_rebuild_the_text_and_respect_the_limits(text):
    parts = gsm.split(text)
    result = gsm.analyse(text)
    assert "".join(parts) == text and result.segments == len(parts)
    assert result.units == _units(text, result.encoding)
    limit = gsm.SINGLE if len(parts) == 1 else gsm.PART
    assert all(_units(part, result.encoding) <= limit[result.encoding] for part in parts)


@given(GSM_TEXT)
def test_gsm_alphabet_text_is_gsm7_with_no_flags(text):
    result = gsm.analyse(text)
    assert result.encoding == "GSM-7" and result.flags == ()
    assert result.units == len(text) + sum(c in gsm.EXTENDED for c in text)
