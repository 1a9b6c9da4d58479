"""A link takes one response, saved as the person goes; an expired or unknown link is refused."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from porchlight.feedback.models import Answer, Response
from porchlight.feedback.tests.calls import cleared_call, questions, survey_path

PACIFIC = ZoneInfo("America/Los_Angeles")
CLEARED = datetime(2026, 11, 22, 15, 6, tzinfo=PACIFIC)
NEXT_DAY = datetime(2026, 11, 23, 16, 0, tzinfo=PACIFIC)


@pytest.fixture
def call(agency):
    with time_machine.travel(CLEARED, tick=False):
        return cleared_call(agency)


@pytest.mark.django_db
def test_answers_are_saved_as_the_person_goes_and_submitted_once(client, call):
    path, q = survey_path(call), questions(call)
    with time_machine.travel(NEXT_DAY, tick=False):
        page = client.get(path)
        assert page.status_code == 200
        assert b"How did we do?" in page.content
        assert page.cookies == {} or not any(page.cookies.values())

        # Autosave: the page posts each answer as it changes.
        assert client.post(path, {"autosave": "1", q["officer"]: "5"}).status_code == 204
        assert (
            client.post(path, {"autosave": "1", q["to_officer"]: "Thank you!"}).status_code == 204
        )
        response = Response.objects.get(invitation__call=call)
        assert response.submitted_at is None
        assert {a.question.about: (a.number, a.text) for a in response.answers.all()} == {
            "officer": (5, ""),
            "to_officer": (None, "Thank you!"),
        }
        # Reloading shows what was saved.
        assert b'value="5" checked' in client.get(path).content

        # Submitting without the required overall rating is refused, with the reason.
        refused = client.post(path, {q["call_taker"]: "4"})
        assert refused.status_code == 400
        assert b"required" in refused.content
        assert Answer.objects.filter(response=response, question__about="call_taker").exists()

        done = client.post(path, {q["overall"]: "5"})
        assert done.status_code == 302
        response.refresh_from_db()
        assert response.submitted_at is not None

        # The link takes one response.
        again = client.post(path, {q["overall"]: "1"})
        assert again.status_code == 409
        assert client.post(path, {"autosave": "1", q["overall"]: "1"}).status_code == 409
        assert Answer.objects.get(response=response, question__about="overall").number == 5
        thanks = client.get(path)
        assert thanks.status_code == 200 and b"Thank you" in thanks.content


@pytest.mark.django_db
def test_bad_values_are_refused_with_a_reason(client, call):
    path, q = survey_path(call), questions(call)
    with time_machine.travel(NEXT_DAY, tick=False):
        for value in ("6", "0", "abc", "-1"):
            r = client.post(path, {"autosave": "1", q["overall"]: value})
            assert r.status_code == 400, value
            assert b"not one of the choices" in r.content
        r = client.post(path, {"autosave": "1", q["contact_me"]: "maybe"})
        assert r.status_code == 400
        r = client.post(path, {"autosave": "1", q["different"]: "x" * 4001})
        assert r.status_code == 400
        r = client.post(path, {"autosave": "1", q["different"]: "a\x00b"})
        assert r.status_code == 400
    assert not Answer.objects.exists()


@pytest.mark.django_db
def test_an_expired_link_is_refused(client, call):
    path, q = survey_path(call), questions(call)
    due = datetime(2026, 11, 23, 15, 6, tzinfo=PACIFIC)
    with time_machine.travel(due + timedelta(days=7, seconds=-1), tick=False):
        assert client.get(path).status_code == 200
    with time_machine.travel(due + timedelta(days=7), tick=False):
        gone = client.get(path)
        assert gone.status_code == 410
        assert b"expired" in gone.content
        assert client.post(path, {q["overall"]: "5"}).status_code == 410
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_unknown_and_malformed_tokens_get_the_same_404(client, call):
    for path in ("/s/AAAAAAAAAAAAAAAA/", "/s/" + "A" * 65 + "/", "/s/%3Cscript%3E/"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert b"Survey not found" in r.content


@pytest.mark.django_db
def test_a_call_reclassified_as_sensitive_loses_its_survey(client, call):
    from porchlight.calls.models import CallType

    path = survey_path(call)
    CallType.objects.filter(pk=call.call_type_id).update(sensitive=True)
    with time_machine.travel(NEXT_DAY, tick=False):
        assert client.get(path).status_code == 404


@pytest.mark.django_db
def test_the_page_is_in_the_contacts_language(client, agency):
    with time_machine.travel(CLEARED, tick=False):
        call = cleared_call(agency, language="es")
    path = survey_path(call)
    with time_machine.travel(NEXT_DAY, tick=False):
        page = client.get(path)
        assert page["Content-Language"] == "es"
        assert '<html lang="es">' in page.content.decode()
        assert "vecindario" in page.content.decode()
        english = client.get(path + "?lang=en")
        assert "neighborhood" in english.content.decode()
