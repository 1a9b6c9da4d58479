"""Response rate, CSAT, NPS and per-question averages, filtered by beat, district, call type,
priority, officer, shift and time, on the console page with its chart."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from porchlight.feedback import measures
from porchlight.feedback.models import Kind, Officer, Question, Shift, Survey
from porchlight.feedback.tests.calls import cleared_call, questions, survey_path
from porchlight.notify.models import Outbox, State, Trigger

PACIFIC = ZoneInfo("America/Los_Angeles")
CLEARED = datetime(2026, 11, 22, 15, 6, tzinfo=PACIFIC)
NEXT_DAY = datetime(2026, 11, 23, 16, 0, tzinfo=PACIFIC)


@pytest.fixture
def answered(client, agency):
    """Four calls asked (their invitations sent), three answered: overall 5, 4 and 1."""
    Shift.objects.create(agency=agency, name="Days", starts=time(6), ends=time(16))
    with time_machine.travel(CLEARED, tick=False):
        calls = [
            cleared_call(agency, "26-050001", beat="B12"),
            cleared_call(agency, "26-050002", beat="B12"),
            cleared_call(agency, "26-050003", beat="B40", call_type="415"),
            cleared_call(agency, "26-050004", beat="B40"),
        ]
    survey = Survey.objects.get(agency=agency)
    Question.objects.create(
        survey=survey, position=99, kind=Kind.NPS, text_en="Would you recommend us?"
    )
    Outbox.objects.filter(trigger=Trigger.SURVEY).update(state=State.SENT)
    with time_machine.travel(NEXT_DAY, tick=False):
        for call, overall, nps in zip(calls, ("5", "4", "1"), ("10", "9", "3"), strict=False):
            q = questions(call)
            nps_field = q[""]
            r = client.post(survey_path(call), {q["overall"]: overall, nps_field: nps})
            assert r.status_code == 302
    return calls


@pytest.mark.django_db
def test_the_figures(agency, answered):
    figures = measures.compute(agency, measures.Filters())
    assert (figures.invited, figures.responded) == (4, 3)
    assert figures.rate == 75.0
    assert figures.csat == pytest.approx(66.7)  # 5 and 4 of 5, 4 and 1
    assert figures.nps == pytest.approx(33.3)  # two promoters, one detractor, of three
    overall = next(f for f in figures.questions if f.question.about == "overall")
    assert overall.average == pytest.approx(3.33) and overall.answered == 3
    assert figures.themes == []  # nobody wrote a comment


@pytest.mark.django_db
def test_comments_are_counted_by_theme(client, agency):
    with time_machine.travel(CLEARED, tick=False):
        call = cleared_call(agency)
    q = questions(call)
    with time_machine.travel(NEXT_DAY, tick=False):
        text = "It took two hours and the officer was rude."
        client.post(survey_path(call), {q["overall"]: "2", q["different"]: text})
    figures = measures.compute(agency, measures.Filters())
    assert dict(figures.themes) == {"Response time": 1, "Courtesy": 1}


@pytest.mark.django_db
def test_filters_narrow_the_figures(agency, answered):
    b40 = measures.compute(agency, measures.Filters(beat="b40"))
    assert (b40.invited, b40.responded, b40.csat) == (2, 1, 0.0)
    disturbance = measures.compute(agency, measures.Filters(call_type="415"))
    assert disturbance.responded == 1
    officer = Officer.objects.get(agency=agency)
    assert measures.compute(agency, measures.Filters(officer=officer.pk)).responded == 3
    shift = Shift.objects.get(agency=agency)
    assert measures.compute(agency, measures.Filters(shift=shift.pk)).invited == 4
    assert measures.compute(agency, measures.Filters(priority="9")).invited == 0
    assert measures.compute(agency, measures.Filters(since=date(2026, 11, 23))).invited == 0
    assert measures.compute(agency, measures.Filters(until=date(2026, 11, 22))).invited == 4


@pytest.mark.django_db
def test_the_console_page_draws_the_chart(agency, answered, staff_client):
    client = staff_client("readonly")
    with time_machine.travel(NEXT_DAY, tick=True):
        page = client.get("/console/feedback/?beat=B12&since=2026-11-01&officer=x&shift=")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and 'class="bar"' in body
    assert "100.0%" in body  # CSAT of beat B12: both answers 4 or 5
    # Nonsense filters are ignored, not a 500.
    assert (
        client.get(
            "/console/feedback/?since=2026-13-01&until=notadate&officer=99999999999999"
        ).status_code
        == 200
    )


@pytest.mark.django_db
def test_another_agencys_figures_are_not_counted(agency, answered, staff_client):
    from standins.builders import make_agency

    other = make_agency(name="Shafter Police Department", slug="shafter", ori="CA0150500")
    assert measures.compute(other, measures.Filters()).invited == 0
    client = staff_client("admin", username="shafter-admin", for_agency=other)
    assert "0 of 0 sent" in client.get("/console/feedback/").content.decode()
