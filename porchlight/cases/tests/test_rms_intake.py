"""POST /api/v1/agencies/{slug}/rms/events: the CAD feed's rules for case events."""

import copy

import pytest

from porchlight.calls.models import Quarantine
from porchlight.calls.replay import replay
from porchlight.cases.models import Case, CaseEvent, RmsEvent, RmsStatus, Term, Victim
from porchlight.cases.schemas import EXAMPLE_BATCH
from porchlight.cases.tests.conftest import CODES, sent_text
from porchlight.notify.models import Outbox, Trigger
from standins.builders import make_key

URL = "/api/v1/agencies/bakersfield/rms/events"


@pytest.fixture
def send(client, agency):
    _, raw = make_key(agency, source="rms")

    def send(*events, status=200):
        r = client.post(URL, {"events": list(events)}, content_type="application/json",
                        HTTP_AUTHORIZATION=f"Bearer {raw}")  # fmt: skip
        assert r.status_code == status, r.content
        return r.json()

    return send


def event(n=1, **extra):
    ev = copy.deepcopy(EXAMPLE_BATCH["events"][0])
    ev["event_id"] = f"rms-{n}"
    ev.update(extra)
    return ev


@pytest.mark.django_db
def test_a_new_case_from_the_rms(send, statuses):
    answer = send(event())
    assert answer["applied"] == 1 and answer["results"][0]["incident_number"] == "BPD26-004321"
    case = Case.objects.get(number="BPD26-004321")
    assert (case.source, case.rms_status, case.term) == ("rms", "ASG", Term.ASSIGNED)
    assert (case.offense_code, case.detective_name, str(case.report_fee)) == ("23F", "Maria Lopez",
                                                                             "15.00")  # fmt: skip
    assert list(case.incidents.values_list("incident_number", flat=True)) == ["26-001234"]
    victim = Victim.objects.get(case=case)
    assert victim.language == "es" and victim.phone.address == "+16615550199"
    # The victim hears of the case and of the detective: not a third text saying "assigned".
    triggers = sorted(Outbox.objects.values_list("trigger", flat=True))
    assert triggers == [Trigger.CASE_ASSIGNED, Trigger.CASE_OPENED]
    assert "Maria Lopez" in sent_text(Outbox.objects.get(trigger=Trigger.CASE_ASSIGNED))
    # The log keeps the event without the victim's number.
    assert "phone" not in RmsEvent.objects.get().payload["victims"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("code", CODES)
def test_every_mapped_status_code_applies(send, statuses, code):
    send(event(1, status="OPN", detective=None))
    answer = send(event(2, status=code, detective=None, event_time="2026-11-23T10:00:00-08:00"))
    assert answer["applied"] == 1, answer
    case = Case.objects.get()
    assert (case.rms_status, case.term) == (code, CODES[code])
    assert (case.closed_at is not None) == (CODES[code] in {
        Term.CLEARED_ARREST, Term.EXCEPTIONAL_A, Term.EXCEPTIONAL_B, Term.EXCEPTIONAL_C,
        Term.EXCEPTIONAL_D, Term.EXCEPTIONAL_E, Term.UNFOUNDED, Term.CLOSED})  # fmt: skip


@pytest.mark.django_db
def test_an_unmapped_status_is_quarantined_never_guessed_and_replays_once_mapped(
    send, statuses, agency
):
    answer = send(event(status="CLRD-ADULT"))
    result = answer["results"][0]
    assert answer["rejected"] == 1 and "not mapped" in result["reason"]
    assert not Case.objects.exists()
    held = Quarantine.objects.get()
    assert held.source == "rms" and held.incident_number == "BPD26-004321"
    RmsStatus.objects.create(agency=agency, code="CLRD-ADULT", term=Term.CLEARED_ARREST)
    done = replay(held)
    assert len(done.resolved) == 1
    case = Case.objects.get()
    assert case.term == Term.CLEARED_ARREST and case.closed_at is not None


@pytest.mark.django_db
def test_idempotent_duplicates_and_conflicts(send, statuses):
    assert send(event())["applied"] == 1
    assert send(event())["duplicate"] == 1
    changed = event(status="CLS")
    answer = send(changed)
    assert answer["conflict"] == 1
    assert Quarantine.objects.get().kind == Quarantine.Kind.CONFLICT
    assert Case.objects.get().term == Term.ASSIGNED
    assert Outbox.objects.count() == 2


@pytest.mark.django_db
def test_a_batch_applies_in_rms_time_order(send, statuses):
    late = event(2, status="CLS", detective=None, event_time="2026-11-23T10:30:00-08:00")
    early = event(1, status="SUS", detective=None, event_time="2026-11-23T10:00:00-08:00")
    send(late, early)
    case = Case.objects.get()
    assert case.term == Term.CLOSED
    # Sent later but older: logged as history, no text, and the answer says so.
    older = event(3, status="OPN", detective=None, event_time="2026-11-23T10:15:00-08:00")
    answer = send(older)
    assert answer["applied"] == 1 and "older" in answer["results"][0]["warnings"][0]
    case.refresh_from_db()
    assert case.term == Term.CLOSED
    assert CaseEvent.objects.filter(case=case, kind="rms").count() == 1
    assert Outbox.objects.filter(trigger=Trigger.CASE_STATUS).count() == 1  # the SUS one


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"case_number": ""}, "case_number"),
        ({"event_time": 1700000000}, "event_time"),
        ({"event_time": "1970-01-01T00:00:00Z"}, "event_time"),
        ({"incident_number": "26-000001"}, "incident_numbers"),
        ({"victims": [{"phone": "+16615550199", "opt_in": "perhaps"}]}, "victims.0.opt_in"),
        ({"report": {"fee": "-5"}}, "report.fee"),
        ({"ori": "CA0159999"}, "not covered"),
        ({"offense": {"description": "bad\x00byte"}}, "NUL"),
    ],
)
def test_bad_events_are_rejected_with_a_reason_and_the_rest_apply(send, statuses, change, words):
    bad = event(9)
    bad.update(change)
    answer = send(bad, event(1, case_number="BPD26-000001"))
    assert (answer["rejected"], answer["applied"]) == (1, 1)
    assert words.lower() in answer["results"][0]["reason"].lower(), answer["results"][0]
    assert Quarantine.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status"),
    [("not json", 400), ({"events": []}, 400), ({"nope": 1}, 400)],
)
def test_bad_requests_are_4xx(client, agency, body, status):
    _, raw = make_key(agency, source="rms")
    r = client.post(URL, body, content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {raw}")  # fmt: skip
    assert r.status_code == status and "detail" in r.json()
    assert (
        client.post(URL, {"events": [event()]}, content_type="application/json").status_code == 401
    )


@pytest.mark.django_db
def test_victims_who_opted_out_are_kept_and_not_told(send, statuses):
    send(event(victims=[{"email": "v@example.org", "opt_in": False}], detective=None))
    assert Victim.objects.get().opted_in is False
    assert not Outbox.objects.exists()


@pytest.mark.django_db
def test_a_victim_added_later_hears_the_case_number(send, statuses):
    send(event(1, detective=None))
    send(event(2, detective=None, status="ASG", event_time="2026-11-23T10:00:00-08:00",
               victims=[{"phone": "+16615550199"}, {"email": "second@example.org"}]))  # fmt: skip
    assert Victim.objects.count() == 2
    assert Outbox.objects.filter(trigger=Trigger.CASE_OPENED).count() == 2
