"""The thanks page says a supervisor will get in touch when, and only when, the caller asked
to be contacted (the answer that opens a follow-up)."""

from __future__ import annotations

from typing import Any

import pytest

from porchlight.feedback.models import About, FollowUp, Question
from porchlight.feedback.tests.calls import cleared_call, survey_path

PROMISE = "a supervisor has your request"


@pytest.mark.django_db
@pytest.mark.parametrize(("asked", "promised"), [("yes", True), ("no", False)])
def test_the_thanks_page_promises_a_call_only_when_asked(
    client: Any, agency: Any, asked: str, promised: bool
) -> None:
    call = cleared_call(agency)
    overall = Question.objects.get(survey__agency=agency, about=About.OVERALL)
    contact = Question.objects.get(survey__agency=agency, about=About.CONTACT_ME)
    path = survey_path(call)
    r = client.post(path, {f"q{overall.pk}": "5", f"q{contact.pk}": asked})
    assert r.status_code == 302
    page = client.get(path).content.decode()
    assert "Thank you" in page
    assert (PROMISE in page) is promised
    assert FollowUp.objects.exists() is promised
