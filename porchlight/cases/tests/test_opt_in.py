"""A victim who was not the caller opts in: case number and card code, then a one-time code by
SMS with limited tries; every mismatch answers alike."""

import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from porchlight.cases import optin
from porchlight.cases.models import OptIn, Victim
from porchlight.cases.tests.conftest import sent_text
from porchlight.notify.models import Outbox, Trigger


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()


@pytest.fixture
def case(make_case):
    return make_case(reporter_phone="", reporter_email="")


def ask(client, case, **extra):
    data = {"case_number": case.number, "card_code": optin.card_code(case),
            "phone": "(661) 555-0177", "language": "es"}  # fmt: skip
    data.update(extra)
    return client.post("/cases/bakersfield/updates/", data)


def texted_code():
    row = Outbox.objects.filter(trigger=Trigger.CASE_OPT_IN).latest("id")
    # The last 6 digits of the text: the case number comes before the code.
    return re.findall(r"\b(\d{6})\b", sent_text(row))[-1]


@pytest.mark.django_db
def test_the_card_code_is_stable_and_readable(case):
    code = optin.card_code(case)
    assert code == optin.card_code(case) and len(code) == 6
    assert set(code) <= set(optin.CARD_ALPHABET)


@pytest.mark.django_db
def test_opting_in_with_the_right_codes(client, case):
    page = client.get("/cases/bakersfield/updates/?lang=es").content.decode()
    assert "Número de caso" in page or "Case number" in page
    r = ask(client, case, card_code=optin.card_code(case).lower())  # any case, any spacing
    assert r.status_code == 302
    text = sent_text(Outbox.objects.get(trigger=Trigger.CASE_OPT_IN))
    assert case.number in text
    r = client.post(r["Location"], {"code": texted_code()})
    assert r.status_code == 200 and case.number in r.content.decode()
    victim = Victim.objects.get(case=case)
    assert victim.opted_in and victim.language == "es" and victim.phone.address == "+16615550177"
    assert Outbox.objects.filter(trigger=Trigger.CASE_OPENED, contact=victim.phone).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("change", [{"card_code": "AAAAAA"}, {"case_number": "C26-999999"}])
def test_a_wrong_card_code_or_case_answers_alike_and_texts_nothing(client, case, change):
    r = ask(client, case, **change)
    assert r.status_code == 400
    assert "do not match" in r.content.decode()
    assert not Outbox.objects.filter(trigger=Trigger.CASE_OPT_IN).exists()


@pytest.mark.django_db
def test_a_wrong_code_counts_a_try_and_too_many_lock_it(client, case):
    url = ask(client, case)["Location"]
    right = texted_code()
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for left in range(optin.OTP_TRIES - 1, 0, -1):
        r = client.post(url, {"code": wrong})
        assert r.status_code == 400 and f": {left}." in r.content.decode()
    r = client.post(url, {"code": wrong})
    assert r.status_code == 400 and OptIn.objects.get().tries == optin.OTP_TRIES
    # Locked: even the right code does not work now.
    r = client.post(url, {"code": right})
    assert r.status_code == 400 and not Victim.objects.exists()


@pytest.mark.django_db
def test_an_expired_code_does_not_work(client, case, time_machine):
    url = ask(client, case)["Location"]
    code = texted_code()
    time_machine.shift(timezone.timedelta(minutes=optin.OTP_MINUTES + 1))
    r = client.post(url, {"code": code})
    assert r.status_code == 400 and not Victim.objects.exists()


@pytest.mark.django_db
def test_the_form_is_rate_limited(client, case, settings):
    settings.CASES_OPT_IN_RATE = "3/h"
    for _ in range(3):
        assert ask(client, case, card_code="AAAAAA").status_code == 400
    assert ask(client, case).status_code == 429
    assert not Outbox.objects.filter(trigger=Trigger.CASE_OPT_IN).exists()


@pytest.mark.django_db
def test_an_unknown_token_is_404(client, case):
    assert client.get("/cases/bakersfield/updates/nope/").status_code == 404
    url = ask(client, case)["Location"]
    assert client.get(url.replace("/bakersfield/", "/kern/")).status_code == 404


@pytest.mark.django_db
def test_a_phone_that_is_no_phone_is_refused(client, case):
    r = ask(client, case, phone="nope")
    assert r.status_code == 400 and not OptIn.objects.exists()
