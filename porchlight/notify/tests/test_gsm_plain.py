"""Accents outside GSM-7: written as their plain letter when the agency allows it and that
saves a segment; kept otherwise."""

from porchlight.notify import gsm

SPANISH = "Bakersfield PD: se emitió una citación en su llamada 26-000123. Preguntas: 661-327-7111"


def test_plain_letters_only_for_what_gsm_lacks():
    assert gsm.plain("á é í ó ú Á Í Ó Ú ñ Ñ ü à ¿¡") == "a é i o u A I O U ñ Ñ ü à ¿¡"
    assert gsm.plain("“Sí”") == '"Si"'  # normalised too


def test_a_plain_spelling_is_used_when_it_saves_a_segment():
    assert gsm.analyse(SPANISH).encoding == gsm.UCS2 and gsm.analyse(SPANISH).segments == 2
    sent = gsm.cheapest(SPANISH)
    assert sent == SPANISH.replace("ó", "o")
    assert (gsm.analyse(sent).encoding, gsm.analyse(sent).segments) == (gsm.GSM7, 1)


def test_accents_are_kept_when_the_agency_says_so_or_nothing_is_saved():
    assert gsm.cheapest(SPANISH, keep_accents=True) == SPANISH
    # Short enough for one UCS-2 segment: plain letters would save nothing.
    assert gsm.cheapest("Sí, llegó.") == "Sí, llegó."
    # An emoji keeps the text UCS-2 however it is spelled: the accents stay.
    with_emoji = SPANISH + " \U0001f46e"
    assert gsm.cheapest(with_emoji) == with_emoji
    # A letter with no plain spelling in GSM-7 stays too.
    assert gsm.plain("đ") == "đ"
