"""No update leaks an offender detail: a whole case life from an RMS that says too much (the
offender's name, that he died, the NIBRS reason, the offense), every update rendered as the
worker sends it, in English and Spanish, says none of it."""

import copy

import pytest

from porchlight.cases import status as case_status
from porchlight.cases.models import Case, CaseEvent, EventKind
from porchlight.cases.schemas import EXAMPLE_BATCH
from porchlight.cases.tests.conftest import sent_text
from porchlight.cases.updates import note
from porchlight.notify.models import Outbox, Trigger
from standins.builders import make_key

LEAKS = ("john", "doe", "death", "dead", "deceased", "died", "offender", "suspect", "muerte",
         "murio", "murió", "theft", "23f", "robo", "exceptional", "excepción")  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
def test_a_whole_case_life_says_nothing_about_the_offender(client, agency, statuses, language):
    _, raw = make_key(agency, source="rms")
    first = copy.deepcopy(EXAMPLE_BATCH["events"][0])
    first["victims"] = [{"phone": "+16615550199", "email": "v@example.org", "language": language}]
    first["offender"] = {"name": "John Doe", "status": "deceased"}  # an RMS's own field
    later = dict(first, event_id="rms-2", status="EXA", event_time="2026-11-23T10:00:00-08:00",
                 disposition="Death of the offender (John Doe)")  # fmt: skip
    for ev in (first, later):
        r = client.post("/api/v1/agencies/bakersfield/rms/events", {"events": [ev]},
                        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")  # fmt: skip
        assert r.json()["applied"] == 1, r.content
    case = Case.objects.get()
    event = CaseEvent.objects.create(case=case, kind=EventKind.NOTE, public=True,
                                     text="We have closed the file. Thank you for your patience.")  # fmt: skip
    note(case, event)
    rows = list(Outbox.objects.all())
    assert {r.trigger for r in rows} == {
        Trigger.CASE_OPENED, Trigger.CASE_ASSIGNED, Trigger.CASE_CLOSED, Trigger.CASE_NOTE,
    }  # fmt: skip
    for row in rows:
        text = sent_text(row).lower()
        assert not [w for w in LEAKS if w in text], (row.trigger, row.channel, text)
        assert all(v == "" or w not in v.lower() for w in LEAKS for v in row.context.values())


@pytest.mark.django_db
def test_closing_by_hand_says_the_agency_words_too(make_case):
    case = make_case(language="es")
    from django.utils import timezone

    case_status.close(case, term="exceptional_a", at=timezone.now(), source="console")
    text = sent_text(Outbox.objects.get(trigger=Trigger.CASE_CLOSED))
    assert "esclarecido" in text and "muerte" not in text
