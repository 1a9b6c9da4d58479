"""Every automatic answer to a text fits one SMS segment in each language, as it leaves (accents
written plain by default), with a short name for texts and a ten-digit non-emergency number:
the reply answer and HELP end with how to stop, and a caller pays for one segment, not two."""

import pytest
from django.utils import translation

from porchlight.notify import gsm, inbound
from porchlight.notify.models import Inbound


@pytest.fixture
def demo_like(agency):
    agency.sms_name = "Bakersfield PD"
    agency.non_emergency_number = "661-327-7111"
    agency.save()
    return agency


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", [k for k, _ in Inbound.Kind.choices])
def test_each_answer_is_one_segment(demo_like, kind, language):
    with translation.override(language):
        answer = inbound._for_agency(demo_like, kind)
    sent = gsm.cheapest(answer, keep_accents=False)
    if kind in (Inbound.Kind.REPLY, Inbound.Kind.HELP, Inbound.Kind.START):
        assert "STOP" in sent
    analysis = gsm.analyse(sent)
    assert analysis.segments == 1, (analysis, sent)
    # The Spanish one really is Spanish, not the English fallback.
    if language == "es" and kind == Inbound.Kind.REPLY:
        assert "vigilado" in sent
