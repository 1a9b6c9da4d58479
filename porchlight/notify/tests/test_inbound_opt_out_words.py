"""Every opt-out word works alone or as the first word, in any case, with punctuation around it."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET

import pytest

from porchlight.notify import consent, pii
from porchlight.notify.inbound import KEYWORDS, keyword
from porchlight.notify.models import Channel, ConsentChange, Inbound, Sender
from porchlight.tests.production import ROOT
from standins.twilio_local.server import inbound_params

Kind = Inbound.Kind
# As people type them: Twilio's standard words, ours in Spanish, and Canadian French.
OPT_OUT_WORDS = [
    ("STOP", "STOP", "en"),
    ("STOPALL", "STOPALL", "en"),
    ("UNSUBSCRIBE", "UNSUBSCRIBE", "en"),
    ("CANCEL", "CANCEL", "en"),
    ("END", "END", "en"),
    ("QUIT", "QUIT", "en"),
    ("REVOKE", "REVOKE", "en"),
    ("OPTOUT", "OPTOUT", "en"),
    ("PARAR", "PARAR", "es"),
    ("ALTO", "ALTO", "es"),
    ("DETENER", "DETENER", "es"),
    ("CANCELAR", "CANCELAR", "es"),
    ("BAJA", "BAJA", "es"),
    ("ARRÊT", "ARRET", "fr"),
]


def forms(typed: str) -> list[tuple[str, bool]]:
    """The ways people send a word: (body, whether the word is the whole message)."""
    lower, title = typed.lower(), typed.capitalize()
    return [
        (typed, True),
        (lower, True),
        (f"  {title}.  ", True),
        (f"{lower}!", True),
        (f"¡{title}!", True),
        (f'"{typed}"', True),
        (f"{lower} please", False),
        (f"{title}. Thank you", False),
        (f"{typed}, no more texts", False),
        (f"...{lower} now", False),
        (f"{title}!!! 🙏 por favor", False),
    ]


@pytest.mark.parametrize(("typed", "word", "language"), OPT_OUT_WORDS)
def test_each_opt_out_word_alone_or_first(typed, word, language):
    for body, alone in forms(typed):
        found = keyword(body)
        assert found is not None, body
        assert (found.word, found.kind, found.language, found.alone) == (
            word,
            Kind.STOP,
            language,
            alone,
        ), body


@pytest.mark.parametrize(
    "body",
    [
        "please stop",  # not the first word
        "I want it to stop",
        "stopped by earlier",  # another word that starts like one
        "ending soon?",
        "Cancelled",
        "altogether fine",
        "arrêté",
        "yes, he is still here",  # opt-in words count only alone
        "start over",
        "help me, he is back",  # help too: this one needs the 911 answer
    ],
)
def test_other_words_first_are_replies(body):
    assert keyword(body) is None


def test_the_table_has_every_opt_out_word_and_the_docs_list_them():
    stops = {word for word, (kind, _language) in KEYWORDS.items() if kind == Kind.STOP}
    assert stops == {word for _typed, word, _language in OPT_OUT_WORDS}
    docs = (ROOT / "docs" / "sms-compliance.md").read_text()
    row = next(line for line in docs.splitlines() if line.startswith("| opt out"))
    listed = {normal for normal in re.findall(r"[A-ZÊ]+", row.split("|", 2)[2])}
    assert {typed for typed, _word, _language in OPT_OUT_WORDS} <= listed


CALLER = "+16615550142"
OURS = "+16615550100"
_sids = itertools.count(1)


@pytest.fixture
def text(twilio_post, agency):
    Sender.objects.create(agency=agency, label="Main", phone_number=OURS)

    def send(body):
        params = inbound_params(f"SM{next(_sids):032d}", CALLER, body, to=OURS)
        response = twilio_post("/notify/sms/inbound/", params)
        assert response.status_code == 200, response.content
        return [m.text for m in ET.fromstring(response.content).iter("Message")]

    return send


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "source"),
    [("unsubscribe please", "sms:UNSUBSCRIBE"), ("Stop texting me", "sms:STOP")],
)
def test_a_first_word_opt_out_is_recorded_and_confirmed_by_us(text, body, source):
    # Twilio acts on a keyword only when it is the whole message, so it neither blocks the
    # number nor answers here: the opt-out is ours to record and to confirm.
    [answer] = text(body)
    assert "you will get no more texts from this number" in answer
    assert consent.opted_out(Channel.SMS, pii.lookup_hash(CALLER), OURS)
    [change] = ConsentChange.objects.all()
    assert (change.action, change.source) == ("opt_out", source)
    assert Inbound.objects.get().kind == Kind.STOP


@pytest.mark.django_db
def test_arret_opts_out_and_is_confirmed(text):
    [answer] = text("arrêt!")
    assert "you will get no more texts from this number" in answer  # no French texts yet
    assert consent.opted_out(Channel.SMS, pii.lookup_hash(CALLER), OURS)
    assert ConsentChange.objects.get().source == "sms:ARRET"


@pytest.mark.django_db
def test_the_standard_word_alone_is_left_to_twilio(text):
    assert text("STOP") == []
    assert consent.opted_out(Channel.SMS, pii.lookup_hash(CALLER), OURS)
