"""Phone numbers and emails typed into comments are hidden from everyone but admins."""

import pytest

from porchlight.feedback.redact import redact


@pytest.mark.parametrize(
    "typed",
    [
        "call me at 661-555-0142",
        "call me at (661) 555-0142 please",
        "my cell is 661.555.0142",
        "+1 661 555 0142",
        "6615550142",
        "555-0142 after 5",
        "write to ana.ruiz@example.org",
        "ANA+police@Mail.Example.co.uk",
    ],
)
def test_contact_details_are_hidden(typed):
    hidden = redact(typed)
    assert "0142" not in hidden
    assert "@" not in hidden
    assert "hidden]" in hidden


@pytest.mark.parametrize(
    "plain",
    [
        "they came at 10:45 on 11/22",
        "waited 45 minutes",
        "call 911 next time",
        "unit 2A31 was great",
        "case R26-004411",
    ],
)
def test_ordinary_numbers_stay(plain):
    assert redact(plain) == plain
